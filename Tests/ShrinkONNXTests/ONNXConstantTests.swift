import Foundation
@testable import ShrinkONNX
import ShrinkFormats
import ShrinkRuntime
import ShrinkTensor
import Testing

@Suite("ONNX tensors and inputs")
struct ONNXConstantTests {
    static func raw(_ type: Int32, _ dims: [Int64], _ bytes: [UInt8]) -> Onnx_TensorProto {
        var proto = Onnx_TensorProto()
        proto.name = "t"
        proto.dataType = type
        proto.dims = dims
        proto.rawData = Data(bytes)
        return proto
    }

    @Test("initializers of every numeric type decode from raw_data and typed fields")
    func numericTypes() throws {
        #expect(try ONNXConstant(Self.raw(3, [3], [0xFF, 0x80, 0x7F])).integers == [-1, -128, 127])          // int8
        #expect(try ONNXConstant(Self.raw(2, [2], [0xFF, 0x01])).integers == [255, 1])                       // uint8
        #expect(try ONNXConstant(Self.raw(5, [1], [0x00, 0x80])).integers == [-32768])                       // int16
        #expect(try ONNXConstant(Self.raw(6, [1], [0xFE, 0xFF, 0xFF, 0xFF])).integers == [-2])               // int32
        #expect(try ONNXConstant(Self.raw(7, [1], [0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])).integers == [-5]) // int64
        #expect(try ONNXConstant(Self.raw(9, [2], [1, 0])).integers == [1, 0])                               // bool
        #expect(try ONNXConstant(Self.raw(10, [1], [0x00, 0x3C])).floats == [1])                             // float16 1.0
        #expect(try ONNXConstant(Self.raw(16, [1], [0x80, 0xBF])).floats == [-1])                            // bfloat16 -1.0
        #expect(try ONNXConstant(Self.raw(11, [1], Array(withUnsafeBytes(of: 2.5.bitPattern.littleEndian) { Array($0) }))).floats == [2.5])
        var typed = Onnx_TensorProto()
        typed.dataType = 11
        typed.dims = [2]
        typed.doubleData = [0.5, -4]
        #expect(try ONNXConstant(typed).floats == [0.5, -4])
        typed = Onnx_TensorProto()
        typed.dataType = 10
        typed.dims = [1]
        typed.int32Data = [0x3800]  // float16 0.5 in int32_data
        #expect(try ONNXConstant(typed).floats == [0.5])
    }

    @Test("an NHWC model gets channels-first inputs, normalized then transposed")
    func nhwcInput() throws {
        var model = ONNXModelBuilding()
        model.input("x", ["N", 2, 2, 3])
        model.node("Identity", ["x"], ["y"])
        model.output("y")
        let options = ONNXImportOptions(preprocessing: InputPreprocessing(scale: 1, mean: [0, 1, 2], standardDeviation: [1], layout: .nhwc))
        let imported = try ONNXImporter(options: options).importModel(model.model)
        #expect(imported.graph.inputs[0].shape == .batched([3, 2, 2]))
        #expect(imported.graph.nodes.map(\.operatorType) == ["InputNormalization", "Transpose"])  // the Identity is an alias
        let plan = try ExecutionPlan(graph: imported.graph, tensors: try imported.storedTensors())
        // Channel c holds c + 10·pixel; after normalization (minus c) each pixel is 10·pixel on every channel.
        let input = Tensor(shape: [1, 3, 2, 2], scalars: (0..<3).flatMap { channel in (0..<4).map { Float(channel + 10 * $0) } })
        let output = try plan.run(input)
        #expect(output.shape == [1, 2, 2, 3])
        #expect(output.scalars == [0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30])
    }
}
