import Testing
@testable import ShrinkFormats

@Suite struct ModelFileVersionTests {
    /// `bytes` with bytes 8–11 set to `major.minor` and the header checksum recomputed.
    func withVersion(_ major: UInt16, _ minor: UInt16, _ bytes: [UInt8] = Fixtures.validBytes) -> [UInt8] {
        var patched = bytes
        patched.storeLittleEndian(major, at: 8)
        patched.storeLittleEndian(minor, at: 10)
        resealHeader(&patched)
        return patched
    }

    @Test("a file with an import record is written as 2.1 and reads the record back; hostile records are refused")
    func importRecordNeedsFormat2Point1() throws {
        var file = try ModelFile.decode(Fixtures.validBytes)
        let record = ImportSummary(source: "model.onnx", sourceSHA256: String(repeating: "ab", count: 32), producer: "pytorch 2.5",
                                   opset: 17, preprocessing: InputPreprocessing(scale: 2, mean: [0.5], standardDeviation: [0.25], layout: .nhwc))
        file.metadata.imported = record
        let bytes = try file.encoded()
        #expect(Array(bytes[8..<12]) == [2, 0, 1, 0])
        #expect(try ModelFile.decode(bytes).metadata.imported == record)
        file.metadata.imported?.sourceSHA256 = "not a digest"
        #expect(throws: (any Error).self) { try ModelFile.decode(try file.encoded()) }
        file.metadata.imported = record
        file.metadata.imported?.preprocessing?.standardDeviation = [0]
        #expect(throws: (any Error).self) { try ModelFile.decode(try file.encoded()) }
    }

    @Test func writerEmitsFormat2Point0() throws {
        for bytes in [Fixtures.validBytes, CodedFixtures.validBytes] {
            #expect(Array(bytes[8..<12]) == [2, 0, 0, 0])
            #expect(try ModelFile.inspect(bytes).formatVersion == FormatVersion(major: 2, minor: 0))
        }
        #expect(FormatVersion.current == FormatVersion(major: 2, minor: 1))
    }

    @Test func newerMajorVersionIsRefusedWithAClearMessage() {
        expectRejection(withVersion(3, 0), containing: ["format version 3.0 is newer", "(2.x)", "upgrade shrink"]) {
            if case .newerMajorVersion(file: FormatVersion(major: 3, minor: 0), reader: .current) = $0 { true } else { false }
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

    @Test func formatOneManifestsMustHoldAnArchitecture() {
        // A 2.0 manifest (with `graph`) in a file claiming 1.x is read by the 1.x schema and
        // refused naming the missing member, for plain and compressed manifests.
        for bytes in [Fixtures.validBytes, CodedFixtures.validBytes] {
            expectRejection(withVersion(1, 2, bytes), containing: ["invalid manifest: architecture: missing required field"],
                            isInvalidManifest)
        }
        // And a 2.x file must hold a graph, not a 1.x architecture.
        let architecture = withManifest { replaceFirst("\"graph\":", with: "\"architecture\":", in: &$0) }
        expectRejection(architecture, containing: ["invalid manifest: graph: missing required field"], isInvalidManifest)
    }

    @Test func newerMinorVersionIsReadIgnoringOptionalAdditions() throws {
        var container = RawContainer(Fixtures.validBytes)
        container.minor = 7
        // An optional section kind and unknown manifest members: what a minor bump may add.
        container.sections.append(.init(kind: Array("INDX".utf8), flags: 0, alignment: 4096, payload: [1, 2, 3, 4, 5]))
        var manifest = container.manifest
        replaceFirst("\"graph\":{", with: "\"futureTopLevel\":{\"x\":[1,2.5]},\"graph\":{\"futureGraphHint\":\"x\",", in: &manifest)
        replaceFirst("\"op\":\"ReLU\"", with: "\"futureNodeHint\":[],\"op\":\"ReLU\"", in: &manifest)
        replaceFirst("\"tag\":\"dense-f32\"", with: "\"tag\":\"dense-f32\",\"futureHint\":true", in: &manifest)
        container.manifest = manifest
        let decoded = try ModelFile.decode(container.assembled())
        #expect(bitwiseEqual(decoded, Fixtures.model()))
    }

    @Test func olderMinorVersionIsReadByANewerMinorReader() throws {
        // A reader of format 2.3 reads this library's 2.0 files.
        let decoder = ModelFileDecoder(
            bytes: Fixtures.validBytes, reader: FormatVersion(major: 2, minor: 3), oldestReadableMajor: 1)
        #expect(bitwiseEqual(try decoder.decode().model, Fixtures.model()))
    }

    @Test func retiredMajorVersionIsRefusedByANewerMajorReader() {
        let decoder = ModelFileDecoder(
            bytes: Fixtures.validBytes, reader: FormatVersion(major: 4, minor: 0), oldestReadableMajor: 3)
        #expect(throws: ModelFileError.retiredMajorVersion(file: FormatVersion(major: 2, minor: 0), oldestReadableMajor: 3)) {
            try decoder.decode()
        }
    }

    @Test func compatibilityRules() {
        func compatibility(_ file: (UInt16, UInt16), _ reader: (UInt16, UInt16), oldest: UInt16 = 1) -> FormatVersion.Compatibility {
            FormatVersion(major: file.0, minor: file.1)
                .compatibility(withReader: FormatVersion(major: reader.0, minor: reader.1), oldestReadableMajor: oldest)
        }
        #expect(compatibility((2, 0), (2, 3)) == .readable)  // older minor
        #expect(compatibility((2, 9), (2, 0)) == .readable)  // newer minor
        #expect(compatibility((1, 2), (2, 0)) == .readable)  // older major still supported
        #expect(compatibility((3, 0), (2, 9)) == .newerMajor)
        #expect(compatibility((1, 4), (3, 0), oldest: 2) == .retiredMajor)
        #expect(compatibility((0, 1), (2, 0)) == .invalid)
        #expect(FormatVersion(major: 1, minor: 9) < FormatVersion(major: 2, minor: 0))
        #expect(FormatVersion.current.description == "2.1")
        #expect(FormatVersion.oldestReadableMajor == 1)
    }
}
