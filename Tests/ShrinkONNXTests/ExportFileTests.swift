import Foundation
import ShrinkFormats
import ShrinkNN
@testable import ShrinkONNX
import ShrinkTensor
import Testing

/// Writing `.onnx` and `.npy` files.
@Suite("ONNX export files")
struct ExportFileTests {
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shrink-onnx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a model is written atomically, replacing an older file, and reads back the same")
    func writeModel() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.onnx"
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        let model = try ONNXExporter().export(try ExportTestSupport.modelFile(try ModelZoo.graph(named: "mlp-784-100-10")))
        try model.write(to: path)
        #expect(try ONNXModel.read(path: path).serializedBytes() == model.serializedBytes())
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.onnx"]) // no temporary file left
        let error = #expect(throws: ONNXError.self) { try model.write(to: directory + "/missing/model.onnx") }
        #expect(error?.description.hasPrefix("cannot export to ONNX: cannot create a temporary file for ") == true)
    }

    @Test(".npy files carry a 64-byte-aligned NumPy 1.0 header and little-endian float32 data")
    func numPy() throws {
        let tensor = Tensor(shape: [2, 3], scalars: [0, 1, -2, 0.5, 1e-3, .greatestFiniteMagnitude])
        let bytes = numPyBytes(tensor)
        #expect(Array(bytes[0..<8]) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0 && bytes.count == 10 + headerLength + 24)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }") && header.hasSuffix(" \n"))
        let data = Array(bytes[(10 + headerLength)...])
        let values = (0..<6).map { index in
            Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[index * 4 + $1]) << (8 * $1) })
        }
        #expect(values == tensor.scalars)
        #expect(String(decoding: numPyBytes(Tensor(shape: [5], scalars: [1, 2, 3, 4, 5]))[10..<64], as: UTF8.self).contains("(5,)"))
    }

    @Test("check files: the model, a seeded input and the runtime's output for it")
    func checkFiles() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try ExportTestSupport.modelFile(try ModelZoo.graph(named: "lenet-5"))
        let files = try ONNXExporter().writeCheckFiles(file, directory: directory, name: "lenet", batch: 2, seed: 4)
        #expect(files.model == directory + "/lenet.onnx" && files.input == directory + "/lenet.input.npy")
        #expect(try ONNXModel.read(path: files.model).graphName == "lenet-5")
        let input = ExportTestSupport.input(batch: 2, sampleShape: [1, 28, 28], seed: 4)
        #expect(try Data(contentsOf: URL(fileURLWithPath: files.input)) == Data(numPyBytes(input)))
        let expected = try ExportTestSupport.run(file, input)
        #expect(try Data(contentsOf: URL(fileURLWithPath: files.expectedOutput)) == Data(numPyBytes(expected)))
    }
}
