import Foundation
import ShrinkCompression
import ShrinkEncodings
import ShrinkFormats
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkCLI

@Suite struct InspectCommandTests {
    /// A LeNet-300-100 whose fc1 weights are 90 % pruned and palettized (3 bits), fc2 fp16.
    func writeSmallCompressedModel(to path: String) throws -> ModelFile {
        var generator = SeededRandomNumberGenerator(seed: 9)
        let network = try GraphNetwork(graph: ModelZoo.graph(named: "lenet-300-100"), generator: &generator)
        let model = CompressedModel(network: network)
        let fc1 = try #require(network.parameter(named: "fc1.weight"))
        let centroids: [Float] = [0, -0.06, -0.04, -0.02, 0.02, 0.04, 0.06]
        var indices = [UInt16](repeating: 0, count: fc1.value.count)
        var mask = [Float](repeating: 0, count: fc1.value.count)
        for index in 0..<indices.count where index % 10 == 3 {
            indices[index] = UInt16(1 + (index / 10) % 6)
            mask[index] = 1
        }
        fc1.value = Tensor(shape: fc1.value.shape, scalars: indices.map { centroids[Int($0)] })
        model.parameterStates["fc1.weight"] = ParameterCompressionState(
            mask: Tensor(shape: fc1.value.shape, scalars: mask), palette: Palette(bits: 3, centroids: centroids, indices: indices))
        let fc2 = try #require(network.parameter(named: "fc2.weight"))
        fc2.value = Tensor(shape: fc2.value.shape, scalars: fc2.value.scalars.map { Float(Float16($0)) })
        model.parameterStates["fc2.weight"] = ParameterCompressionState(storesFloat16: true)
        let file = try model.modelFile()
        try file.write(to: path)
        return file
    }

    @Test func reportsEveryTensorAndTheOverallRatio() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-inspect")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/small.shrink"
        let file = try writeSmallCompressedModel(to: path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)

        let report = InspectionReport(file: path, inspection: try ModelFile.inspect(path: path))
        #expect(report.model == "lenet-300-100" && report.formatVersion == "2.0")
        #expect(report.tensors.map(\.name) == file.tensors.map(\.name))
        #expect(report.fileBytes == size)
        #expect(report.totalWeights == 266_610)
        #expect(report.float32Bytes == 4 * 266_610)
        #expect(abs(report.compressionRatio - Double(4 * 266_610) / Double(size)) < 1e-9)
        let fc1 = try #require(report.tensors.first { $0.name == "fc1.weight" })
        #expect(fc1.encoding.hasPrefix("sparse palette 3-bit"))
        #expect(abs(fc1.density - 0.1) < 1e-9)
        #expect(fc1.weightBits == 3 && fc1.indexBits == 5)
        #expect(fc1.bytesAfterHuffman < fc1.bytesBeforeHuffman)  // regular gaps: Huffman wins
        let fc2 = try #require(report.tensors.first { $0.name == "fc2.weight" })
        #expect(fc2.encoding == "f16" && fc2.weightBits == 16 && fc2.bytesAfterHuffman == 2 * 30_000)
        let bias = try #require(report.tensors.first { $0.name == "fc1.bias" })
        #expect(bias.encoding == "dense-f32" && bias.bytesAfterHuffman == 1_200 && bias.ratioVersusFloat32 == 1)
        #expect(report.totalBytesAfterHuffman == report.tensors.reduce(0) { $0 + $1.bytesAfterHuffman })
        #expect(report.compressionRatio > 4)

        let text = report.rendered()
        #expect(text.contains("fc1.weight") && text.contains("total") && text.contains("compression ratio"))
        #expect(text.contains("\(size) bytes on disk"))

        // The JSON form has stable snake_case fields and decodes back to the same report.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        for field in ["\"bytes_after_huffman\"", "\"bytes_before_huffman\"", "\"compression_ratio\"", "\"density\"",
                      "\"file_bytes\"", "\"fp32_bytes\"", "\"index_bits\"", "\"ratio_vs_fp32\"", "\"total_weights\"",
                      "\"weight_bits\"", "\"format_version\""] {
            #expect(json.contains(field), "\(field)")
        }
        #expect(try JSONDecoder().decode(InspectionReport.self, from: Data(json.utf8)) == report)

        // The command itself runs in both output modes.
        try InspectCommand.parse([path]).run()
        try InspectCommand.parse([path, "--json"]).run()
    }

    @Test func damagedFileFailsWithOneLineNamingTheSection() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-inspect")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/damaged.shrink"
        _ = try writeSmallCompressedModel(to: path)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 100] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: (any Error).self) { try InspectCommand.parse([path]).run() }
        let message = String(describing: try #require(error))
        #expect(message.contains("section 1 (DATA)") && !message.contains("\n"))
    }
}
