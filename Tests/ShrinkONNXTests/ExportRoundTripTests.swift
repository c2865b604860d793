import Foundation
import ShrinkEncodings
import ShrinkFormats
import ShrinkNN
@testable import ShrinkONNX
import ShrinkTensor
import Testing

/// fp32 export: the zoo models and a graph using every standard op, exported, parsed back,
/// re-imported, and run by the runtime beside the original.
@Suite("ONNX export round trip")
struct ExportRoundTripTests {
    @Test("zoo models export, re-import and compute the same outputs", arguments: ModelZoo.names)
    func zooModel(name: String) throws {
        let file = try ExportTestSupport.modelFile(try ModelZoo.graph(named: name), seed: 7)
        let model = try ONNXExporter().export(file)
        let reimported = try ExportTestSupport.reimported(model)
        let sampleShape = try #require(file.graph.inputs.first?.shape.sampleShape)
        for batch in [1, 3] {
            let input = ExportTestSupport.input(batch: batch, sampleShape: sampleShape, seed: UInt64(batch))
            let expected = try ExportTestSupport.run(file, input)
            let output = try ExportTestSupport.run(reimported, input)
            #expect(ExportTestSupport.relativeError(output, expected) <= 1e-5, "\(name), batch \(batch)")
        }
    }

    @Test("the model declares opset 17, IR 8, a symbolic batch, the output's shape, and weights by name")
    func modelStructure() throws {
        let file = try ExportTestSupport.modelFile(try ModelZoo.graph(named: "lenet-5"))
        let model = try ONNXExporter().export(file)
        #expect(model.opsetVersion == 17 && model.proto.irVersion == 8)
        #expect(model.producer.hasPrefix("shrink "))
        let graph = model.proto.graph
        #expect(graph.name == "lenet-5")
        let input = try #require(graph.input.first)
        #expect(graph.input.count == 1 && input.name == "input")
        #expect(input.type.tensorType.elemType == 1)
        #expect(input.type.tensorType.shape.dim.map(\.dimParam) == ["batch", "", "", ""])
        #expect(input.type.tensorType.shape.dim.dropFirst().map(\.dimValue) == [1, 28, 28])
        let output = try #require(graph.output.first)
        #expect(output.type.tensorType.shape.dim.map(\.dimParam) == ["batch", ""])
        #expect(output.type.tensorType.shape.dim.last?.dimValue == 10)
        #expect(ExportTestSupport.operatorTypes(model) == ["Conv", "MaxPool", "Conv", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"])
        #expect(graph.node.map(\.name) == file.graph.nodes.map(\.name))
        #expect(Set(graph.initializer.map(\.name)) == Set(file.tensors.map(\.name)))
        let gemm = try #require(graph.node.first { $0.name == "fc1" })
        #expect(gemm.input == ["flatten", "fc1.weight", "fc1.bias"] && gemm.output == ["fc1"])
        #expect(gemm.attribute.map(\.name) == ["transB"] && gemm.attribute[0].i == 1)
        let weight = try #require(graph.initializer.first { $0.name == "fc1.weight" })
        #expect(weight.dims == [500, 800] && weight.dataType == 1 && weight.rawData.count == 500 * 800 * 4)
    }

    /// Every standard op (`Linear` with and without bias, grouped dilated strided `Conv2D` with
    /// uneven pads, a standalone `BatchNormalization`, pooling in ceil mode and with counted
    /// pads, every activation, a 3-input `Add`, broadcast `Mul`, `Reshape` with 0 and −1,
    /// `Transpose`, batched `MatMul`, both softmaxes, `Concat`, `Dropout`, `Identity`).
    static var everyOperatorGraph: Graph {
        var builder = GraphBuilder(name: "every-op", inputShape: [3, 9, 9])
        var x = builder.add("conv", Convolution2DOperator(inputChannels: 3, outputChannels: 6,
                                                          window: WindowGeometry(kernel: [3, 3], strides: [1, 2], dilations: [2, 1],
                                                                                 pads: [1, 0, 2, 1]), groups: 3), builder.input)
        x = builder.add("leaky", LeakyReLUOperator(alpha: 0.1), x)
        x = builder.add("bn", BatchNormalizationOperator(channels: 6), x) // [6, 8, 4]
        x = builder.add("max_pool", MaxPool2DOperator(window: WindowGeometry(kernel: [3, 3], strides: [2, 2]), ceilMode: true), x)
        let pooled = builder.add("average_pool", AveragePool2DOperator(window: WindowGeometry(square: 2, stride: 1, padding: 1),
                                                                        countIncludePad: true), x) // [6, 5, 3]
        let swish = builder.add("hard_swish", HardSwishOperator(), pooled)
        let silu = builder.add("silu", SiLUOperator(), pooled)
        let sum = builder.add("sum", AdditionOperator(), swish, silu, pooled)
        let gate = builder.add("gate", SigmoidOperator(), pooled)
        var y = builder.add("product", MultiplicationOperator(), sum, gate)
        y = builder.add("tanh", TanhOperator(), y)
        y = builder.add("clip", ClipOperator(minimum: -0.5, maximum: 0.7), y)
        y = builder.add("hard_sigmoid", HardSigmoidOperator(alpha: 0.3, beta: 0.4), y)
        y = builder.add("relu6", ReLU6Operator(), y)
        let average = builder.add("global_pool", GlobalAveragePoolOperator(), y) // [6, 1, 1]
        y = builder.add("scaled", MultiplicationOperator(), y, average)
        let rows = builder.add("rows", ReshapeOperator(shape: [0, 15]), y) // [6, 15]
        var columns = builder.add("transpose", TransposeOperator(permutation: [0, 2, 1]), rows) // [15, 6]
        columns = builder.add("columns", ReshapeOperator(shape: [-1, 6]), columns)
        let square = builder.add("matmul", MatrixMultiplicationOperator(), columns, rows) // [15, 15]
        let softmax = builder.add("softmax", SoftmaxOperator(axis: -1), square)
        let logSoftmax = builder.add("log_softmax", LogSoftmaxOperator(axis: 1), square)
        var z = builder.add("concat", ConcatenationOperator(axis: 2), softmax, logSoftmax) // [15, 30]
        z = builder.add("flatten", FlattenOperator(), z)
        z = builder.add("dropout", DropoutOperator(rate: 0.3), z)
        z = builder.add("identity", IdentityOperator(), z)
        z = builder.add("fc1", LinearOperator(inputFeatures: 450, outputFeatures: 12, hasBias: false), z)
        z = builder.add("relu", ReLUOperator(), z)
        builder.add("fc2", LinearOperator(inputFeatures: 12, outputFeatures: 5), z)
        return builder.finish()
    }

    @Test("a graph of every standard op exports, re-imports and computes the same outputs")
    func everyOperator() throws {
        let graph = Self.everyOperatorGraph
        // Sub, Div, InputNormalization and Q/DQ are covered by ExportArithmeticAndQuantizationTests;
        // the integer QOperator ops have no ONNX export (ExportErrorTests).
        let elsewhere: Set = ["Sub", "Div", "InputNormalization", "QuantizeLinear", "DequantizeLinear",
                              "MatMulInteger", "QLinearMatMul", "QLinearConv"]
        let missed = Set(OperatorRegistry.standard.typeNames).subtracting(graph.nodes.map(\.operatorType)).subtracting(elsewhere)
        #expect(missed.isEmpty, "the test graph misses \(missed.sorted())")
        let file = try ExportTestSupport.modelFile(graph, seed: 11)
        let model = try ONNXExporter().export(file)
        let types = ExportTestSupport.operatorTypes(model)
        #expect(types.filter { $0 == "Add" }.count == 2) // the 3-input Add as a chain
        #expect(types.contains("Clip") && types.contains("Identity") && !types.contains("Dropout"))
        let reshape = try #require(model.proto.graph.node.first { $0.name == "rows" })
        let shape = try #require(model.proto.graph.initializer.first { $0.name == reshape.input[1] })
        #expect(shape.dataType == 7 && shape.rawData == Data([0, 0, 15].flatMap { value in
            withUnsafeBytes(of: Int64(value).littleEndian) { Array($0) }
        }))
        let reimported = try ExportTestSupport.reimported(model)
        for batch in [1, 2] {
            let input = ExportTestSupport.input(batch: batch, sampleShape: [3, 9, 9], seed: UInt64(20 + batch))
            let expected = try ExportTestSupport.run(file, input)
            let output = try ExportTestSupport.run(reimported, input)
            #expect(ExportTestSupport.relativeError(output, expected) <= 1e-5, "batch \(batch)")
        }
    }

    @Test("coded weights (fp16, palette, sparse, affine) are exported as their decoded values")
    func codedWeights() throws {
        var file = try ExportTestSupport.modelFile(try ModelZoo.graph(named: "lenet-300-100"), seed: 4)
        for (index, stored) in file.tensors.enumerated() where stored.name.hasSuffix(".weight") {
            let values = stored.value.scalars
            let encoding: StoredEncoding = switch stored.name {
            case "fc1.weight": StoredEncoding(coded: .float16(values))
            case "fc2.weight":
                StoredEncoding(coded: try .palette(indices: values.map { $0 < 0 ? 0 : 1 }, centroids: [0, 0.05], bits: 1),
                               layout: .sparse(gapBits: 4))
            default:
                StoredEncoding(coded: try .affine(quantizing: values, bits: 4, isSigned: false, scales: [0.01], zeroPoints: [7]))
            }
            file.tensors[index] = try StoredTensor(name: stored.name, kind: stored.kind, shape: stored.value.shape, encoding: encoding)
        }
        let model = try ONNXExporter().export(file)
        for stored in file.tensors {
            let initializer = try #require(model.proto.graph.initializer.first { $0.name == stored.name })
            #expect(try ONNXConstant(initializer).floats == stored.value.scalars, "\(stored.name)")
        }
        // fp32 export of a coded model is fp32 even when some weights are int8 elsewhere.
        #expect(!ExportTestSupport.operatorTypes(model).contains("DequantizeLinear"))
    }
}
