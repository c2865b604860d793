import ShrinkFormats
import ShrinkNN
@testable import ShrinkRuntime
import ShrinkTensor
import Testing

/// The ops ONNX models are imported onto, run by a plan on their own kernels: element-wise
/// arithmetic with constants on a graph whose batch axis is a fixed size, and the quantized
/// integer ops.
@Suite("ExecutionPlan imported ops")
struct ExecutionPlanImportedOperatorTests {
    /// `x [3, 4, 5]` → Add a `[5]` constant → Mul by a `[1, 4, 1]` constant (an ONNX node
    /// test's fixed shapes).
    static func fixedBatchNetwork() throws -> GraphNetwork {
        let graph = Graph(
            name: "fixed", inputs: [ValueInfo(name: "x", shape: ValueShape([.fixed(3), .fixed(4), .fixed(5)]))], outputs: ["scaled"],
            nodes: [
                Node(name: "shifted", operatorType: "Add", inputs: ["x"], outputs: ["shifted"],
                     attributes: AdditionOperator(constant: ConstantOperand(shape: [5])).attributes),
                Node(name: "scaled", operatorType: "Mul", inputs: ["shifted"], outputs: ["scaled"],
                     attributes: MultiplicationOperator(constant: ConstantOperand(shape: [1, 4, 1])).attributes),
            ])
        var generator = SeededRandomNumberGenerator(seed: 1)
        let network = try GraphNetwork(graph: graph, generator: &generator)
        network.parameter(named: "shifted.constant")!.value = Tensor(shape: [5], scalars: [0, 10, 20, 30, 40])
        network.parameter(named: "scaled.constant")!.value = Tensor(shape: [1, 4, 1], scalars: [1, -1, 2, 0.5])
        return network
    }

    @Test("a graph with a fixed batch axis runs at that batch size")
    func fixedBatchAxis() throws {
        let network = try Self.fixedBatchNetwork()
        let plan = try ExecutionPlan(graph: network.graph, tensors: GraphFixtures.tensors(network))
        #expect(plan.fixedBatchSize == 3 && plan.inputShape == [4, 5] && plan.outputShape == [4, 5])
        #expect(plan.layers.map(\.kernel) == [.reference("Add"), .reference("Mul")])
        let input = Tensor(shape: [3, 4, 5], scalars: (0..<60).map { Float($0) * 0.5 - 7 })
        let expected = network.forward(inputs: ["x": input], mode: .inference)["scaled"]!
        #expect(try plan.run(inputs: ["x": input])["scaled"] == expected)
        #expect(try plan.run(input) == expected)
        #expect(expected[2, 1, 4] == -(input[2, 1, 4] + 40))
        let wrongBatch = #expect(throws: ExecutionPlanError.self) {
            try plan.run(inputs: ["x": Tensor(zeros: [2, 4, 5])])
        }
        #expect(wrongBatch?.description == "the graph's batch axis is fixed at 3; got a batch of 2")
        #expect(throws: ExecutionPlanError.self) { try plan.run(Tensor(zeros: [1, 4, 5])) }
        // A scalar constant is a zero-rank tensor, in a model file too.
        let file = ModelFile(graph: network.graph, parameters: network.parameters)
        #expect(try ModelFile.decode(try file.encoded()).tensors.map(\.value) == network.parameters.map(\.value))
    }

    @Test("a zero-rank (scalar) constant survives a model file")
    func scalarConstantInAFile() throws {
        var builder = GraphBuilder(name: "scalar", inputShape: [3])
        builder.add("half", DivisionOperator(constant: ConstantOperand(shape: [], isFirst: true)), builder.input)
        var generator = SeededRandomNumberGenerator(seed: 1)
        let network = try GraphNetwork(graph: builder.finish(), generator: &generator)
        network.parameter(named: "half.constant")!.value = Tensor(shape: [], scalars: [6])
        let decoded = try ModelFile.decode(try ModelFile(graph: network.graph, parameters: network.parameters).encoded())
        #expect(decoded.tensors.first?.value == Tensor(shape: [], scalars: [6]))
        let plan = try ExecutionPlan(file: decoded)
        #expect(try plan.run(Tensor(shape: [2, 3], scalars: [1, 2, 3, -6, 0.5, 0])).scalars == [6, 3, 2, -1, 12, .infinity])
    }

    /// Codes `[batch, 2, 4, 4]` → QuantizeLinear (scale 1: the codes themselves) → QLinearConv →
    /// DequantizeLinear, with the convolution's codes a second output.
    @Test("QuantizeLinear, QLinearConv and DequantizeLinear run on their own kernels")
    func quantizedConvolution() throws {
        var builder = GraphBuilder(name: "qconv", inputShape: [2, 4, 4])
        let codes = builder.add("quantize", QuantizeLinearOperator(scales: [1]), builder.input)
        let convolution = builder.add("conv", QuantizedConvolution2DOperator(
            inputChannels: 2, outputChannels: 4, window: WindowGeometry(kernel: [3, 3], strides: [2, 1], dilations: [1, 2], pads: [1, 0, 1, 2]),
            groups: 2, hasBias: true, inputScale: 0.25, inputZeroPoint: 3, weightScales: [1], weightZeroPoints: [1], outputScale: 0.5,
            outputZeroPoint: 5), codes)
        let real = builder.add("dequantize", DequantizeLinearOperator(scales: [0.5], zeroPoints: [5]), convolution)
        var generator = SeededRandomNumberGenerator(seed: 1)
        let network = try GraphNetwork(graph: builder.finish(outputs: [real, convolution]), generator: &generator)
        network.parameter(named: "conv.weight")!.value = Tensor(shape: [4, 1, 3, 3], scalars: [
            0, 2, 3, 2, 3, 4, 3, 0, 5, 3, 5, 1, 2, 5, 1, 0, 2, 4, 0, 5, 2, 1, 3, 5, 5, 5, 1, 0, 4, 4, 4, 0, 0, 3, 2, 2,
        ])
        network.parameter(named: "conv.bias")!.value = Tensor(shape: [4], scalars: [600, -2000, 7, 0])
        let plan = try ExecutionPlan(graph: network.graph, tensors: GraphFixtures.tensors(network))
        #expect(plan.layers.map(\.kernel) == [.reference("QuantizeLinear"), .reference("QLinearConv"), .reference("DequantizeLinear")])
        let sample: [Float] = [8, 9, 0, 9, 5, 6, 7, 3, 11, 0, 3, 4, 6, 4, 1, 0, 0, 0, 1, 11, 2, 7, 9, 2, 3, 5, 3, 11, 2, 10, 9, 10]
        // Two samples: the reference's and its codes reversed.
        let input = Tensor(shape: [2, 2, 4, 4], scalars: sample + sample.reversed())
        let outputs = try plan.run(inputs: ["input": input])
        let expectedCodes: [Float] = [255, 255, 255, 255, 0, 0, 0, 0, 16, 22, 31, 40, 4, 0, 16, 11]
        #expect(Array(outputs["conv"]!.scalars.prefix(16)) == expectedCodes)
        #expect(Array(outputs["dequantize"]!.scalars.prefix(16)) == expectedCodes.map { ($0 - 5) * 0.5 })
        let reference = network.forward(inputs: ["input": input], mode: .inference)
        #expect(outputs["conv"] == reference["conv"] && outputs["dequantize"] == reference["dequantize"])
    }

    /// One input read by MatMulInteger and QLinearMatMul (per-column scales), both outputs.
    @Test("MatMulInteger and QLinearMatMul run on their own kernels")
    func integerMatrixProducts() throws {
        var builder = GraphBuilder(name: "qmatmul", inputShape: [3])
        let sums = builder.add("integer", IntegerMatrixMultiplicationOperator(inputFeatures: 3, outputFeatures: 2, inputZeroPoint: 1,
                                                                              weightZeroPoints: [2, 3]), builder.input)
        let codes = builder.add("qlinear", QuantizedMatrixMultiplicationOperator(
            inputFeatures: 3, outputFeatures: 2, inputScale: 0.02, inputZeroPoint: 1, weightScales: [0.3, 3], weightZeroPoints: [2, 3],
            outputScale: 0.07, outputZeroPoint: 100), builder.input)
        var generator = SeededRandomNumberGenerator(seed: 1)
        let network = try GraphNetwork(graph: builder.finish(outputs: [sums, codes]), generator: &generator)
        let weight = Tensor(shape: [3, 2], scalars: [5, 1, 7, 0, 1, 3])
        network.parameter(named: "integer.b")!.value = weight
        network.parameter(named: "qlinear.b")!.value = weight
        let plan = try ExecutionPlan(graph: network.graph, tensors: GraphFixtures.tensors(network))
        #expect(plan.layers.map(\.kernel) == [.reference("MatMulInteger"), .reference("QLinearMatMul")])
        let outputs = try plan.run(inputs: ["input": Tensor(shape: [2, 3], scalars: [3, 1, 2, 0, 9, 4])])
        #expect(outputs["integer"] == Tensor(shape: [2, 2], scalars: [5, -4, 34, -22]))
        #expect(outputs["qlinear"] == Tensor(shape: [2, 2], scalars: [100, 97, 103, 81]))
    }
}
