import ShrinkEncodings
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// The `coded` encoding (format 1.1): round trips, Huffman streams, version rules, rejections.
@Suite struct ModelFileCodedTensorTests {
    @Test func everyEncodingRoundTripsBitExactly() throws {
        let model = try CodedFixtures.model()
        let bytes = try model.encoded()
        #expect(bytes[8] == 1 && bytes[10] == 2)  // format 1.2
        let decoded = try ModelFile.decode(bytes)
        #expect(bitwiseEqual(decoded, model))
        for (original, read) in zip(model.tensors, decoded.tensors) {
            #expect(original.encoding?.coded == read.encoding?.coded, "\(original.name)")
            #expect(original.encoding?.layout == read.encoding?.layout, "\(original.name)")
        }
        // Deterministic, and a decoded file re-encodes to the same bytes.
        #expect(try decoded.encoded() == bytes)
    }

    @Test func huffmanCodesSparseStreamsWhenSmaller() throws {
        let inspection = try ModelFile.inspect(CodedFixtures.validBytes)
        let palette = try #require(inspection.tensors.first { $0.name == "big.palette" })
        #expect(palette.huffmanGaps || palette.huffmanValues)
        #expect(palette.ranges.map(\.role).contains("side-table"))
        #expect(palette.storedByteCount < palette.unentropyCodedByteCount)
        #expect(palette.weightBits == 5 && palette.indexBits == 5)
        let dense = try #require(inspection.tensors.first { $0.name == "conv1.bias" })
        #expect(dense.tag == "dense-f32" && dense.storedByteCount == 8 && dense.weightBits == 32 && dense.indexBits == 0)
        let plain = try #require(inspection.tensors.first { $0.name == "big.palette8" })
        #expect(plain.ranges.map(\.role) == ["payload"])
        #expect(plain.storedByteCount == 256 * 4 + 600)
        #expect(inspection.fileLength == CodedFixtures.validBytes.count)
        // A tensor written without Huffman never gets Huffman streams.
        var model = try CodedFixtures.model()
        for index in model.tensors.indices { model.tensors[index].encoding?.huffmanCoding = false }
        let withoutHuffman = try ModelFile.inspect(try model.encoded())
        #expect(withoutHuffman.tensors.allSatisfy { !$0.huffmanGaps && !$0.huffmanValues })
        #expect(bitwiseEqual(withoutHuffman.model, model))
    }

    @Test func formatOnePointZeroFilesAreStillRead() throws {
        var container = RawContainer(Fixtures.validBytes)
        container.minor = 0
        let decoded = try ModelFile.decode(container.assembled())
        #expect(bitwiseEqual(decoded, Fixtures.model()))
        #expect(decoded.tensors.allSatisfy { $0.encoding == nil })
    }

    @Test func unknownTagsAreRefusedByName() {
        let bytes = withManifest(CodedFixtures.validBytes) { replaceFirst("\"tag\":\"coded\"", with: "\"tag\":\"coded-2\"", in: &$0) }
        expectRejection(bytes, containing: ["\"conv1.weight\"", "\"coded-2\"", "upgrade shrink"]) {
            if case .unknownEncoding(tensor: "conv1.weight", tag: "coded-2") = $0 { true } else { false }
        }
    }

    @Test func storedValueMustMatchItsEncoding() throws {
        var model = try CodedFixtures.model()
        model.tensors[0].value = Tensor(zeros: [2, 1, 3, 3])
        #expect(throws: ModelFileError.self) { try model.encoded() }
        #expect(throws: ModelFileError.self) {
            try StoredTensor(name: "x", shape: [3], encoding: StoredEncoding(coded: .float16([1, 2])))
        }
    }

    @Test func badDescriptorsAreRejectedNamingTheTensor() {
        // fc1.weight: affine 4-bit, 3 channels, 54 elements, sparse 3-bit gaps.
        func mutated(_ change: (inout String) -> Void) -> [UInt8] { withManifest(CodedFixtures.validBytes, change) }
        let cases: [(String, String, [String])] = [
            ("\"elementCount\":54", "\"elementCount\":55", ["fc1.weight", "55 elements"]),
            ("\"elementCount\":54", "\"elementCount\":4294967297", ["fc1.weight"]),
            ("\"channelCount\":3", "\"channelCount\":5", ["fc1.weight", "channels"]),
            ("\"gapBits\":3", "\"gapBits\":17", ["fc1.weight", "gaps"]),
            ("\"bits\":4", "\"bits\":0", ["fc1.weight", "bit width 0"]),
            ("\"bits\":4", "\"bits\":40", ["fc1.weight", "bit width 40"]),
        ]
        for (target, replacement, fragments) in cases {
            expectRejection(mutated { replaceFirst(target, with: replacement, in: &$0) }, containing: fragments) {
                switch $0 {
                case .invalidEncoding(tensor: "fc1.weight", _): true
                default: false
                }
            }
        }
        // A wrong entry count changes the expected byte count.
        expectRejection(mutated { text in
            guard let range = text.range(of: "\"entryCount\":") else { return }
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            text.replaceSubrange(range.upperBound..<text.index(range.upperBound, offsetBy: digits.count), with: "\(Int(digits)! + 9)")
        }) {
            switch $0 {
            case .byteLengthMismatch, .invalidByteRange, .invalidEncoding: true
            default: false
            }
        }
        // A coded record without a descriptor, or Huffman flags on a dense tensor.
        expectRejection(mutated { replaceFirst("\"descriptor\":", with: "\"descriptorX\":", in: &$0) }, containing: ["needs a descriptor"]) {
            if case .invalidEncoding = $0 { true } else { false }
        }
        expectRejection(mutated { replaceFirst("\"tag\":\"coded\"", with: "\"huffmanGaps\":true,\"tag\":\"coded\"", in: &$0) },
                        containing: ["sparse layout"]) {
            if case .invalidEncoding(tensor: "conv1.weight", _) = $0 { true } else { false }
        }
    }

    @Test func corruptHuffmanStreamsAreRejectedNamingTheSection() throws {
        // Flip every bit of the Huffman ranges in turn (checksums resealed): each variant decodes to
        // the same tensor or fails with an error naming the tensor, never traps.
        let inspection = try ModelFile.inspect(CodedFixtures.validBytes)
        let container = RawContainer(CodedFixtures.validBytes)
        let manifest = container.manifest
        #expect(manifest.contains("\"role\":\"gap-codes\"") || manifest.contains("\"role\":\"value-codes\""))
        var rejected = 0, accepted = 0
        var generator = SeededRandomNumberGenerator(seed: 77)
        for _ in 0..<600 {
            var bytes = CodedFixtures.validBytes
            let dataStart = bytes.count - container.sections[1].payload.count
            let position = dataStart + generator.nextIndex(below: container.sections[1].payload.count)
            bytes[position] ^= UInt8(1) << UInt8(generator.nextIndex(below: 8))
            resealAll(&bytes)
            do {
                let model = try ModelFile.decode(bytes)
                accepted += 1
                #expect(model.tensors.count == inspection.tensors.count)
            } catch let error as ModelFileError {
                rejected += 1
                #expect(!error.description.contains("\n"))
                if case .invalidEncoding(let tensor, let reason) = error {
                    #expect(!tensor.isEmpty && reason.contains("section 1 (DATA)"), "\(error)")
                }
            } catch {
                Issue.record("non-ModelFileError: \(error)")
            }
        }
        #expect(rejected > 0 && accepted > 0)
    }
}

extension ModelFileCodedTensorTests {
    @Test func hugeSparseTensorsAreBoundedBeforeAllocation() throws {
        // Two all-zero sparse tensors of 2³¹ + 1 elements each: a few hundred bytes of file that
        // would decode to 16 GiB. The total cap rejects the second before anything is allocated.
        let template = try CodedFixtures.model()
        let small = try StoredTensor(name: "a", shape: [1], encoding: StoredEncoding(coded: .float16([0]), layout: .sparse(gapBits: 8)))
        var model = template
        model.tensors = [small, try StoredTensor(name: "b", shape: [1], encoding: small.encoding!)]
        let bytes = withManifest(try model.encoded()) { text in
            text = text.replacingOccurrences(of: "\"elementCount\":1,", with: "\"elementCount\":2147483649,")
            text = text.replacingOccurrences(of: "\"shape\":[1]", with: "\"shape\":[2147483649]")
        }
        expectRejection(bytes, containing: ["\"b\"", "in total"]) {
            if case .invalidEncoding(tensor: "b", _) = $0 { true } else { false }
        }
    }
}
