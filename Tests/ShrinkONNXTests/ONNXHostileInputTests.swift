import Foundation
@testable import ShrinkONNX
import ShrinkTensor
import Testing

@Suite("ONNX reading: truncated, corrupted and hostile input")
struct ONNXHostileInputTests {
    static let validBytes = ONNXModelBuilding().withCNN()

    @Test("empty, random and non-ONNX bytes give a clear error")
    func garbage() {
        #expect(throws: ONNXError.malformed("the file is empty")) { try ONNXModel(bytes: []) }
        var generator = SeededRandomNumberGenerator(seed: 11)
        for length in [1, 7, 100, 4096] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            do {
                let model = try ONNXModel(bytes: bytes)
                _ = try? ONNXImporter().importModel(model)
            } catch {
                #expect(!"\(error)".isEmpty)
            }
        }
        #expect(throws: ONNXError.self) { try ONNXModel(bytes: Array("SHRK not an onnx model".utf8)) }
    }

    @Test("every truncation of a valid model is refused or imports, never crashes")
    func truncations() {
        let bytes = Self.validBytes
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
            do {
                _ = try ONNXImporter().importModel(try ONNXModel(bytes: Array(bytes[..<length])))
            } catch let error as ONNXError {
                #expect(!error.description.contains("\n"))
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
    }

    @Test("seeded byte mutations are refused or import, never crash")
    func mutations() {
        var generator = SeededRandomNumberGenerator(seed: 12)
        let bytes = Self.validBytes
        for _ in 0..<1500 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? ONNXImporter().importModel(try ONNXModel(bytes: mutated))
        }
    }

    @Test("tensors with hostile shapes or data are refused before allocating")
    func hostileTensors() throws {
        func tensor(_ dims: [Int64], raw: Int = 0, external: Bool = false) -> Onnx_TensorProto {
            var proto = Onnx_TensorProto()
            proto.name = "w"
            proto.dataType = 1
            proto.dims = dims
            proto.rawData = Data(count: raw)
            if external { proto.dataLocation = .external }
            return proto
        }
        #expect(throws: ONNXError.tooLarge("tensor 'w' has shape [1099511627776, 1099511627776], more than 2147483648 elements")) {
            try ONNXConstant(tensor([1 << 40, 1 << 40]))
        }
        #expect(throws: ONNXError.invalid("tensor 'w' has a negative dimension -3")) { try ONNXConstant(tensor([-3])) }
        #expect(throws: ONNXError.externalData(tensor: "w")) { try ONNXConstant(tensor([4], external: true)) }
        #expect(throws: ONNXError.invalid("tensor 'w' of shape [4] needs 4 elements, its raw_data holds 3")) {
            try ONNXConstant(tensor([4], raw: 12))
        }
        var strings = tensor([1])
        strings.dataType = 8
        #expect(throws: ONNXError.self) { try ONNXConstant(strings) }
    }

    @Test("an opset outside 7–21 is refused by number")
    func opsetRange() {
        var model = ONNXModelBuilding()
        model.opset = 6
        model.input("x", ["N", 2])
        model.node("Relu", ["x"], ["y"])
        model.output("y")
        #expect(throws: ONNXError.unsupportedOpset(6, supported: 7...21)) { try ONNXImporter().importModel(model.model) }
    }

    @Test("a reshape to a hostile size is refused")
    func hostileReshape() {
        var model = ONNXModelBuilding()
        model.input("x", ["N", 4])
        model.integerInitializer("big", [1 << 40, 1 << 40])
        model.integerInitializer("shape", [2, 2])
        model.initializer("c", [4], [1, 2, 3, 4])
        model.node("Reshape", ["c", "big"], ["r"])
        model.node("Add", ["x", "r"], ["y"])
        model.output("y")
        #expect(throws: ONNXError.self) { try ONNXImporter().importModel(model.model) }
    }
}

extension ONNXModelBuilding {
    /// The bytes of the importer tests' CNN.
    func withCNN() -> [UInt8] { try! ONNXImporterTests.torchStyleModel().0.serializedBytes() }
}
