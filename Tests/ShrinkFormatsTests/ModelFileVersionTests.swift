import Testing
@testable import ShrinkFormats

@Suite struct ModelFileVersionTests {
    func withVersion(_ major: UInt16, _ minor: UInt16, _ bytes: [UInt8] = Fixtures.validBytes) -> [UInt8] {
        var patched = bytes
        patched.storeLittleEndian(major, at: 8)
        patched.storeLittleEndian(minor, at: 10)
        resealHeader(&patched)
        return patched
    }

    @Test func newerMajorVersionIsRefusedWithAClearMessage() {
        expectRejection(withVersion(2, 0), containing: ["format version 2.0 is newer", "(1.x)", "upgrade shrink"]) {
            if case .newerMajorVersion(file: FormatVersion(major: 2, minor: 0), reader: .current) = $0 { true } else { false }
        }
        // The version is checked before anything a new major version may have changed.
        let future = ModelFileLayout.magic + [3, 0, 1, 0] + [UInt8](repeating: 0xEE, count: 9)
        expectRejection(future, containing: ["format version 3.1 is newer"]) {
            if case .newerMajorVersion = $0 { true } else { false }
        }
    }

    @Test func versionZeroIsInvalid() {
        expectRejection(withVersion(0, 9), containing: ["no format version 0"]) {
            if case .invalidVersion = $0 { true } else { false }
        }
    }

    @Test func newerMinorVersionIsReadIgnoringOptionalAdditions() throws {
        var container = RawContainer(Fixtures.validBytes)
        container.minor = 7
        // An optional section kind and unknown manifest fields: what a minor bump may add.
        container.sections.append(.init(kind: Array("INDX".utf8), flags: 0, alignment: 4096, payload: [1, 2, 3, 4, 5]))
        var manifest = container.manifest
        replaceFirst("{\"architecture\":", with: "{\"futureTopLevel\":{\"x\":[1,2.5]},\"architecture\":", in: &manifest)
        replaceFirst("\"tag\":\"dense-f32\"", with: "\"tag\":\"dense-f32\",\"futureHint\":true", in: &manifest)
        container.manifest = manifest
        let decoded = try ModelFile.decode(container.assembled())
        #expect(bitwiseEqual(decoded, Fixtures.model()))
    }

    @Test func olderMinorVersionIsReadByANewerMinorReader() throws {
        // A reader of format 1.3 reads this library's 1.1 files.
        let decoder = ModelFileDecoder(
            bytes: Fixtures.validBytes, reader: FormatVersion(major: 1, minor: 3), oldestReadableMajor: 1)
        #expect(bitwiseEqual(try decoder.decode().model, Fixtures.model()))
    }

    @Test func retiredMajorVersionIsRefusedByANewerMajorReader() {
        let decoder = ModelFileDecoder(
            bytes: Fixtures.validBytes, reader: FormatVersion(major: 3, minor: 0), oldestReadableMajor: 2)
        #expect(throws: ModelFileError.retiredMajorVersion(file: FormatVersion(major: 1, minor: 0), oldestReadableMajor: 2)) {
            try decoder.decode()
        }
    }

    @Test func compatibilityRules() {
        func compatibility(_ file: (UInt16, UInt16), _ reader: (UInt16, UInt16), oldest: UInt16 = 1) -> FormatVersion.Compatibility {
            FormatVersion(major: file.0, minor: file.1)
                .compatibility(withReader: FormatVersion(major: reader.0, minor: reader.1), oldestReadableMajor: oldest)
        }
        #expect(compatibility((1, 0), (1, 3)) == .readable)  // older minor
        #expect(compatibility((1, 9), (1, 0)) == .readable)  // newer minor
        #expect(compatibility((1, 4), (2, 0)) == .readable)  // older major still supported
        #expect(compatibility((2, 0), (1, 9)) == .newerMajor)
        #expect(compatibility((1, 4), (3, 0), oldest: 2) == .retiredMajor)
        #expect(compatibility((0, 1), (1, 0)) == .invalid)
        #expect(FormatVersion(major: 1, minor: 9) < FormatVersion(major: 2, minor: 0))
        #expect(FormatVersion.current.description == "1.2")
    }
}
