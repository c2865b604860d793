import Testing
@testable import ShrinkFormats

/// One crafted file per container-level rule of docs/FORMAT.md, "What a reader must reject".
@Suite struct ModelFileContainerRejectionTests {
    let valid = Fixtures.validBytes
    /// File offset of section `index`'s table entry.
    func entry(_ index: Int) -> Int { 32 + 32 * index }

    @Test func badMagic() {
        var bytes = valid
        bytes[1] = UInt8(ascii: "Z")
        expectRejection(bytes, containing: ["bad magic", "89 5a 48"]) { if case .badMagic = $0 { true } else { false } }
        // A text-mode transfer that turns CR LF into LF shifts everything after byte 5.
        var mangled = valid
        mangled.remove(at: 5)
        expectRejection(mangled, containing: ["text-mode"]) { if case .badMagic = $0 { true } else { false } }
        expectRejection(Array("hello world, not a model".utf8)) { if case .badMagic = $0 { true } else { false } }
    }

    @Test func tooShortFiles() {
        expectRejection([]) { if case .truncated = $0 { true } else { false } }
        expectRejection(Array(valid[0..<5])) { if case .truncated = $0 { true } else { false } }
        expectRejection(Array(valid[0..<10]), containing: ["format version"]) { if case .truncated = $0 { true } else { false } }
        expectRejection(Array(valid[0..<20]), containing: ["preamble"]) { if case .truncated = $0 { true } else { false } }
        expectRejection(Array(valid[0..<50]), containing: ["section table"]) { if case .truncated = $0 { true } else { false } }
    }

    @Test func truncatedAndExtendedFiles() {
        expectRejection(Array(valid.dropLast(10)), containing: ["truncated", "declares \(valid.count) bytes"]) {
            if case .fileLengthMismatch = $0 { true } else { false }
        }
        expectRejection(valid + [0, 0, 0], containing: ["3 unexpected bytes"]) {
            if case .fileLengthMismatch = $0 { true } else { false }
        }
        // Appended bytes with the declared length updated: still garbage after the last section.
        var extended = valid + [0x41, 0x42]
        extended.storeLittleEndian(UInt64(extended.count), at: 16)
        resealHeader(&extended)
        expectRejection(extended, containing: ["2 trailing bytes"]) { if case .trailingBytes(2) = $0 { true } else { false } }
    }

    @Test func preambleFlagsAndSectionCount() {
        var flagged = valid
        flagged.storeLittleEndian(UInt32(4), at: 12)
        resealHeader(&flagged)
        expectRejection(flagged, containing: ["preamble", "0x4"]) { if case .unknownFlags = $0 { true } else { false } }
        for count: UInt32 in [0, 65, .max] {
            var bytes = valid
            bytes.storeLittleEndian(count, at: 24)
            resealHeader(&bytes)
            expectRejection(bytes) { if case .invalidSectionCount(count) = $0 { true } else { false } }
        }
    }

    @Test func headerChecksumMismatch() {
        var bytes = valid
        bytes[entry(1) + 8] ^= 0x40  // data section offset, not resealed
        expectRejection(bytes, containing: ["preamble/section table checksum"]) {
            if case .headerChecksumMismatch = $0 { true } else { false }
        }
    }

    @Test func sectionChecksumMismatchNamesTheSection() {
        var data = valid
        data[data.count - 40] ^= 0x01
        expectRejection(data, containing: ["section 1 (DATA) checksum mismatch"]) {
            if case .sectionChecksumMismatch = $0 { true } else { false }
        }
        var manifest = valid
        manifest[entry(2) + 10] ^= 0x01  // inside the manifest JSON
        expectRejection(manifest, containing: ["section 0 (MNFT) checksum mismatch"]) {
            if case .sectionChecksumMismatch = $0 { true } else { false }
        }
    }

    @Test func sectionBeyondTheFile() {
        for (field, value) in [(16, UInt64.max), (16, UInt64(valid.count)), (8, UInt64.max - 63)] {
            var bytes = valid
            bytes.storeLittleEndian(value, at: entry(1) + field)
            resealHeader(&bytes)
            expectRejection(bytes, containing: ["section 1 (DATA)", "beyond the end of the file"]) {
                if case .sectionOutOfBounds = $0 { true } else { false }
            }
        }
    }

    @Test func invalidAndMisalignedSections() {
        for alignment: UInt32 in [0, 3, 32, 131_072] {
            var bytes = valid
            bytes.storeLittleEndian(alignment, at: entry(1) + 24)
            resealHeader(&bytes)
            expectRejection(bytes, containing: ["section 1 (DATA) has invalid alignment \(alignment)"]) {
                if case .invalidAlignment = $0 { true } else { false }
            }
        }
        var misaligned = valid
        let offset = misaligned.littleEndianUInt64(at: entry(1) + 8)
        misaligned.storeLittleEndian(offset + 4, at: entry(1) + 8)
        misaligned.storeLittleEndian(misaligned.littleEndianUInt64(at: entry(1) + 16) - 4, at: entry(1) + 16)
        resealHeader(&misaligned)
        expectRejection(misaligned, containing: ["not a multiple of its alignment 64"]) {
            if case .misalignedSection = $0 { true } else { false }
        }
    }

    @Test func overlappingSections() {
        // The data section claims to start inside the manifest.
        var bytes = valid
        bytes.storeLittleEndian(UInt64(128), at: entry(1) + 8)
        resealHeader(&bytes)
        expectRejection(bytes, containing: ["section 1 (DATA) overlaps section 0 (MNFT)"]) {
            if case .sectionsOverlap = $0 { true } else { false }
        }
        // The manifest claims to start inside the section table.
        var intoTable = valid
        intoTable.storeLittleEndian(UInt64(88), at: entry(0) + 8)
        resealHeader(&intoTable)
        expectRejection(intoTable, containing: ["overlaps the section table"]) {
            if case .sectionsOverlap = $0 { true } else { false }
        }
    }

    @Test func gapsAndPaddingBetweenSections() {
        // Manifest moved 8 bytes later (still aligned): an unexplained gap.
        var container = RawContainer(valid)
        container.sections[0].alignment = 128
        var gap = container.assembled()
        gap.storeLittleEndian(UInt32(8), at: entry(0) + 24)
        resealHeader(&gap)
        expectRejection(gap, containing: ["expected 96"]) { if case .sectionGap = $0 { true } else { false } }
        // Non-zero alignment padding between the manifest and the data section.
        var padding = valid
        let dataOffset = Int(padding.littleEndianUInt64(at: entry(1) + 8))
        let manifestEnd = Int(padding.littleEndianUInt64(at: entry(0) + 8) + padding.littleEndianUInt64(at: entry(0) + 16))
        #expect(dataOffset > manifestEnd, "fixture should have padding before the data section")
        padding[dataOffset - 1] = 0x20
        expectRejection(padding, containing: ["padding before section 1 (DATA)"]) {
            if case .nonZeroPadding = $0 { true } else { false }
        }
    }

    @Test func sectionFlagsAndKinds() {
        var flags = valid
        flags.storeLittleEndian(UInt32(3), at: entry(1) + 4)
        resealHeader(&flags)
        expectRejection(flags, containing: ["section 1 (DATA) sets unknown flag bits 0x2"]) {
            if case .unknownFlags = $0 { true } else { false }
        }
        var container = RawContainer(valid)
        container.sections.append(.init(kind: Array("HUFF".utf8), flags: 1, alignment: 64, payload: [1, 2, 3]))
        expectRejection(container.assembled(), containing: ["section 2 (HUFF)", "required kind"]) {
            if case .unknownRequiredSection = $0 { true } else { false }
        }
        container.sections[2].kind = [0x00, 0xFF, 0x41, 0x42]
        expectRejection(container.assembled(), containing: ["section 2 (0x00FF4142)"]) {
            if case .unknownRequiredSection = $0 { true } else { false }
        }
    }

    @Test func manifestSectionCount() {
        var none = RawContainer(valid)
        none.sections.removeFirst()
        expectRejection(none.assembled(), containing: ["0 manifest sections"]) { if case .manifestCount(0) = $0 { true } else { false } }
        var two = RawContainer(valid)
        two.sections.append(two.sections[0])
        expectRejection(two.assembled(), containing: ["2 manifest sections"]) { if case .manifestCount(2) = $0 { true } else { false } }
    }

    @Test func manifestLargerThanTheCap() {
        var container = RawContainer(valid)
        container.sections[0].payload += [UInt8](repeating: 0x20, count: ModelFileLimits.maximumManifestLength)
        expectRejection(container.assembled(), containing: ["manifest section is", "limit is 16777216"]) {
            if case .manifestTooLarge = $0 { true } else { false }
        }
    }
}
