import Foundation
import Testing
@testable import ShrinkFormats

/// The compressed manifest (`MNFZ`, since format 1.2): what the writer emits, reading coded files
/// with a plain manifest, and hostile compressed sections (clear errors, bounded allocation).
@Suite struct ModelFileCompressedManifestTests {
    /// A coded file's container with its manifest section's payload replaced.
    func withManifestPayload(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
        var container = RawContainer(CodedFixtures.validBytes)
        change(&container.sections[0].payload)
        return container.assembled()
    }

    @Test func codedFilesStoreTheManifestCompressed() throws {
        let bytes = CodedFixtures.validBytes
        #expect(bytes[8] == 2 && bytes[10] == 0)  // format 2.0
        let container = RawContainer(bytes)
        #expect(container.sections[0].kind == Array("MNFZ".utf8))
        #expect(container.sections[0].flags == 1)  // required: a 1.1 reader rejects the file by name
        let json = Array(container.manifest.utf8)
        #expect(json.count == Int(container.sections[0].payload.littleEndianUInt32(at: 0)))
        #expect(container.sections[0].payload.count * 2 < json.count)
        try StrictJSONValidator.validate(json)
        // Uncompressed models keep a plain manifest.
        let plain = RawContainer(Fixtures.validBytes)
        #expect(plain.major == 2 && plain.minor == 0 && plain.sections[0].kind == Array("MNFT".utf8))
    }

    @Test func codedFilesWithAPlainManifestAreStillRead() throws {
        // As format 1.1 wrote them: coded tensors, plain MNFT manifest.
        var container = RawContainer(CodedFixtures.validBytes)
        let json = container.manifest
        container.sections[0].kind = Array("MNFT".utf8)
        container.sections[0].payload = Array(json.utf8)
        let plain = container.assembled()
        #expect(plain.count > CodedFixtures.validBytes.count)
        let decoded = try ModelFile.decode(plain)
        #expect(bitwiseEqual(decoded, try CodedFixtures.model()))
        // Re-encoding compresses the manifest again.
        #expect(try decoded.encoded() == CodedFixtures.validBytes)
    }

    @Test func compressionRoundTripsAnyJSONLength() throws {
        for json in ["{}", "{\"a\":[1,2,3]}", String(repeating: " ", count: 70_000) + "{}"] {
            let bytes = Array(json.utf8)
            let section = try ManifestCompression.compress(bytes)
            #expect(try ManifestCompression.decompress(section[...], label: "s") == bytes)
        }
    }

    @Test func hostileCompressedManifestsAreRejectedClearly() throws {
        let payload = RawContainer(CodedFixtures.validBytes).sections[0].payload
        let stream = Array(payload[4...])
        func header(_ length: UInt32) -> [UInt8] { [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)] }
        let declared = payload.littleEndianUInt32(at: 0)
        // Too short to hold a stream.
        expectRejection(withManifestPayload { $0 = Array($0[0..<4]) }, containing: ["section 0 (MNFZ)", "4 length bytes"]) {
            if case .invalidManifest = $0 { return true } else { return false }
        }
        expectRejection(withManifestPayload { $0 = [] }, containing: ["section 0 (MNFZ)"]) {
            if case .invalidManifest = $0 { return true } else { return false }
        }
        // A declared length beyond the manifest limit is refused before anything is allocated.
        expectRejection(withManifestPayload { $0 = header(UInt32.max) + stream }) {
            if case .manifestTooLarge(length: UInt64(UInt32.max), limit: ModelFileLimits.maximumManifestLength) = $0 { return true } else { return false }
        }
        expectRejection(withManifestPayload { $0 = header(0) + stream }, containing: ["length is 0"]) {
            if case .invalidManifest = $0 { return true } else { return false }
        }
        // Declared length differs from the inflated length, either way.
        expectRejection(withManifestPayload { $0 = header(declared - 1) + stream }, containing: ["more than \(declared - 1) bytes"]) {
            if case .invalidManifest = $0 { return true } else { return false }
        }
        expectRejection(withManifestPayload { $0 = header(declared + 1) + stream }, containing: ["section 0 (MNFZ)"]) {
            if case .invalidManifest = $0 { return true } else { return false }
        }
        // Truncated stream, bytes after its end, garbage instead of DEFLATE.
        expectRejection(withManifestPayload { $0 = header(declared) + stream.dropLast(3) }, containing: ["truncated"]) {
            if case .invalidManifest = $0 { return true } else { return false }
        }
        expectRejection(withManifestPayload { $0 = header(declared) + stream + [0] }, containing: ["1 bytes follow"]) {
            if case .invalidManifest = $0 { return true } else { return false }
        }
        expectRejection(withManifestPayload { $0 = header(declared) + [UInt8](repeating: 0xFF, count: 40) }, containing: ["invalid DEFLATE"]) {
            if case .invalidManifest = $0 { return true } else { return false }
        }
        // A valid stream of a JSON text that breaks the manifest rules goes through the same checks as MNFT.
        expectRejection(withManifestPayload { $0 = try! ManifestCompression.compress(Array("{\"a\":1,\"a\":2}".utf8)) }) {
            if case .invalidManifest = $0 { return true } else { return false }
        }
        // Exactly one manifest: MNFT and MNFZ together are two.
        var both = RawContainer(CodedFixtures.validBytes)
        both.sections.insert(RawContainer.Section(kind: Array("MNFT".utf8), alignment: 8, payload: Array(both.manifest.utf8)), at: 1)
        expectRejection(both.assembled()) {
            if case .manifestCount(2) = $0 { return true } else { return false }
        }
    }

    @Test func everyTruncationAndBitFlipOfTheCompressedManifestFailsCleanly() throws {
        let payload = RawContainer(CodedFixtures.validBytes).sections[0].payload
        for length in 0..<payload.count {
            #expect(throws: ModelFileError.self) { try ManifestCompression.decompress(payload[0..<length], label: "s") }
        }
        for index in 0..<payload.count {
            for bit in [0, 3, 7] {
                var flipped = payload
                flipped[index] ^= UInt8(1 << bit)
                // Either a clear error or some JSON of at most the declared (bounded) length.
                if let json = try? ManifestCompression.decompress(flipped[...], label: "s") {
                    #expect(json.count == Int(flipped.littleEndianUInt32(at: 0)))
                }
            }
        }
    }
}

/// Range placement (since format 1.2): the ranges of a Huffman form (decoded, never mapped) back to
/// back after the previous byte, every other range on a 64-byte boundary.
@Suite struct ModelFileHuffmanRangePlacementTests {
    @Test func huffmanFormRangesFollowEachOtherAndOtherRangesAre64Aligned() throws {
        let container = RawContainer(CodedFixtures.validBytes)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(container.manifest.utf8)) as? [String: Any])
        let tensors = try #require(manifest["tensors"] as? [[String: Any]])
        var contiguousRanges = 0
        var previousEnd = 0
        for tensor in tensors {
            let encoding = try #require(tensor["encoding"] as? [String: Any])
            let isHuffman = (encoding["huffmanGaps"] as? Bool ?? false) || (encoding["huffmanValues"] as? Bool ?? false)
            let ranges = try #require(tensor["ranges"] as? [[String: Any]]).filter { ($0["length"] as? Int ?? 0) > 0 }
            for range in ranges {
                let offset = try #require(range["offset"] as? Int), length = try #require(range["length"] as? Int)
                if isHuffman {
                    #expect(offset == previousEnd, "\(tensor["name"] ?? "")")
                    contiguousRanges += 1
                } else {
                    #expect(offset % 64 == 0 && offset >= previousEnd && offset - previousEnd < 64, "\(tensor["name"] ?? "")")
                }
                previousEnd = offset + length
            }
        }
        #expect(contiguousRanges >= 3)
        // Such a file decodes (the round trip tests check the values).
        _ = try ModelFile.decode(CodedFixtures.validBytes)
    }
}
