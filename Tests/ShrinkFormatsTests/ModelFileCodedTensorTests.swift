import ShrinkEncodings
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// The `coded` encoding: round trips, Huffman streams, version rules, rejections.
@Suite struct ModelFileCodedTensorTests {
    @Test func everyEncodingRoundTripsBitExactly() throws {
        let model = try CodedFixtures.model()
        let bytes = try model.encoded()
        #expect(bytes[8] == 2 && bytes[10] == 0)  // format 2.0
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
        let palette = try #require(inspection.tensors.first { $0.name == "fc2.weight" })
        #expect(palette.huffmanGaps || palette.huffmanValues)
        #expect(palette.ranges.map(\.role).contains("side-table"))
        #expect(palette.storedByteCount < palette.unentropyCodedByteCount)
        #expect(palette.weightBits == 5 && palette.indexBits == 5)
        let dense = try #require(inspection.tensors.first { $0.name == "conv1.bias" })
        #expect(dense.tag == "dense-f32" && dense.storedByteCount == 8 && dense.weightBits == 32 && dense.indexBits == 0)
        let plain = try #require(inspection.tensors.first { $0.name == "fc3.weight" })
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

    @Test func denseFilesDecodeWithoutEncodings() throws {
        let decoded = try ModelFile.decode(Fixtures.validBytes)
        #expect(bitwiseEqual(decoded, Fixtures.model()))
        #expect(decoded.tensors.allSatisfy { $0.encoding == nil })
        let empty = try #require(try ModelFile.inspect(CodedFixtures.validBytes).tensors.first { $0.name == "fc4.bias" })
        #expect(empty.storedByteCount == 0 && empty.indexBits == 8)
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
        // fc4.weight: affine 4-bit, 3 channels, 45 elements, sparse 3-bit gaps.
        func mutated(_ change: (inout String) -> Void) -> [UInt8] { withManifest(CodedFixtures.validBytes, change) }
        let cases: [(String, String, [String])] = [
            ("\"elementCount\":45", "\"elementCount\":46", ["fc4.weight", "46 elements"]),
            ("\"elementCount\":45", "\"elementCount\":4294967297", ["fc4.weight"]),
            ("\"channelCount\":3", "\"channelCount\":4", ["fc4.weight", "channels"]),
            ("\"gapBits\":3", "\"gapBits\":17", ["fc4.weight", "gaps"]),
            ("\"bits\":4", "\"bits\":0", ["fc4.weight", "bit width 0"]),
            ("\"bits\":4", "\"bits\":40", ["fc4.weight", "bit width 40"]),
        ]
        for (target, replacement, fragments) in cases {
            expectRejection(mutated { replaceFirst(target, with: replacement, in: &$0) }, containing: fragments) {
                switch $0 {
                case .invalidEncoding(tensor: "fc4.weight", _): true
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
        // Two all-zero sparse weights of 129 × 2²⁴ (> 2³¹) elements each, which a graph may declare
        // (Linear 2²⁴→129→2²⁴): a few hundred bytes of file that would decode to 16 GiB. The total
        // cap rejects the second before anything is allocated. Crafted from a small file of the same
        // graph: the writer would need the values.
        let huge = 1 << 24
        var builder = GraphBuilder(name: "huge-sparse", inputShape: [8])
        let hidden = builder.add("fc1", LinearOperator(inputFeatures: 8, outputFeatures: 3, hasBias: false), builder.input)
        builder.add("fc2", LinearOperator(inputFeatures: 3, outputFeatures: 8, hasBias: false), hidden)
        let zeros = StoredEncoding(coded: .float16([Float](repeating: 0, count: 24)), layout: .sparse(gapBits: 8))
        let small = ModelFile(graph: builder.finish(), tensors: [
            try StoredTensor(name: "fc1.weight", shape: [3, 8], encoding: zeros),
            try StoredTensor(name: "fc2.weight", shape: [8, 3], encoding: zeros),
        ])
        let bytes = withManifestRecord(try small.encoded()) { manifest in
            manifest.graph.value.inputs[0].shape[1] = .fixed(huge)
            manifest.graph.value.nodes[0].attributes["input_features"] = .int(huge)
            manifest.graph.value.nodes[0].attributes["output_features"] = .int(129)
            manifest.graph.value.nodes[1].attributes["input_features"] = .int(129)
            manifest.graph.value.nodes[1].attributes["output_features"] = .int(huge)
            manifest.tensors[0].shape = [129, huge]
            manifest.tensors[1].shape = [huge, 129]
            for index in 0..<2 { manifest.tensors[index].encoding.descriptor?.elementCount = 129 * huge }
        }
        expectRejection(bytes, containing: ["\"fc2.weight\"", "in total"]) {
            if case .invalidEncoding(tensor: "fc2.weight", _) = $0 { true } else { false }
        }
    }
}
