import ShrinkGraph
import ShrinkKernels
import ShrinkTensor
import Testing
@testable import ShrinkNN

/// Finite-difference checks of the general convolution's input, weight and bias gradients.
@Suite struct ConvolutionOperatorGradientTests {
    @Test func rectangularKernelStrideTwoOneDilationTwoAsymmetricPads() throws {
        let window = WindowGeometry(kernel: [3, 2], strides: [2, 1], dilations: [2, 2], pads: [1, 0, 2, 1])
        try GraphGradientChecking.check(
            Convolution2DOperator(inputChannels: 2, outputChannels: 3, window: window), inputShapes: [[2, 2, 7, 6]])
    }

    @Test func twoGroups() throws {
        let window = WindowGeometry(kernel: [2, 3], strides: [1, 2], pads: [0, 1, 1, 0])
        try GraphGradientChecking.check(
            Convolution2DOperator(inputChannels: 4, outputChannels: 6, window: window, groups: 2), inputShapes: [[2, 4, 5, 6]])
    }

    @Test func twoGroupsWithoutBias() throws {
        let window = WindowGeometry(kernel: [3, 1], dilations: [2, 1], pads: [2, 0, 1, 0])
        try GraphGradientChecking.check(
            Convolution2DOperator(inputChannels: 2, outputChannels: 4, window: window, groups: 2, hasBias: false),
            inputShapes: [[2, 2, 6, 3]])
    }

    /// Column stride 1: the vectorized rows of the depthwise loops.
    @Test func depthwiseMultiplierOne() throws {
        let window = WindowGeometry(kernel: [3, 3], strides: [2, 1], pads: [1, 1, 0, 2])
        try GraphGradientChecking.check(
            Convolution2DOperator(inputChannels: 3, outputChannels: 3, window: window, groups: 3), inputShapes: [[2, 3, 6, 11]])
    }

    /// Column stride 2 and a dilation: the scalar rows of the depthwise loops.
    @Test func depthwiseMultiplierTwo() throws {
        let window = WindowGeometry(kernel: [2, 3], strides: [1, 2], dilations: [2, 1], pads: [0, 2, 1, 1])
        try GraphGradientChecking.check(
            Convolution2DOperator(inputChannels: 2, outputChannels: 4, window: window, groups: 2), inputShapes: [[2, 2, 5, 9]])
    }

    @Test func depthwiseWithoutBias() throws {
        let window = WindowGeometry(kernel: [3, 3], pads: [1, 1, 1, 1])
        try GraphGradientChecking.check(
            Convolution2DOperator(inputChannels: 2, outputChannels: 2, window: window, groups: 2, hasBias: false),
            inputShapes: [[2, 2, 4, 10]])
    }
}

/// One convolution configuration for the value tests.
struct ConvolutionCase: Sendable, CustomTestStringConvertible {
    var inputChannels: Int
    var outputChannels: Int
    var window: WindowGeometry
    var groups: Int
    var hasBias: Bool
    var inputShape: [Int]
    /// Samples lowered into one GEMM (the lowered path); 1 writes GEMM results straight into the output.
    var samplesPerProduct: Int

    var testDescription: String {
        "\(inputChannels)→\(outputChannels) groups \(groups), kernel \(window.kernel), strides \(window.strides), "
            + "dilations \(window.dilations), pads \(window.pads), input \(inputShape)"
    }
}

/// Forward outputs and backward gradients against `NaiveConvolution`, batch 5 split into
/// chunks on two threads (samples for the lowered path, channels for the depthwise one).
@Suite(.serialized) struct ConvolutionValueTests {
    static let cases = [
        ConvolutionCase(inputChannels: 3, outputChannels: 5,
                        window: WindowGeometry(kernel: [3, 2], strides: [2, 1], dilations: [2, 1], pads: [1, 0, 2, 1]),
                        groups: 1, hasBias: true, inputShape: [5, 3, 9, 7], samplesPerProduct: 2),
        ConvolutionCase(inputChannels: 6, outputChannels: 9,
                        window: WindowGeometry(kernel: [2, 3], strides: [1, 2], dilations: [1, 2], pads: [0, 2, 1, 0]),
                        groups: 3, hasBias: false, inputShape: [5, 6, 7, 9], samplesPerProduct: 1),
        ConvolutionCase(inputChannels: 4, outputChannels: 8,
                        window: WindowGeometry(kernel: [1, 3], strides: [3, 1], pads: [0, 0, 2, 1]),
                        groups: 2, hasBias: true, inputShape: [5, 4, 8, 5], samplesPerProduct: 2),
        ConvolutionCase(inputChannels: 4, outputChannels: 4,
                        window: WindowGeometry(kernel: [3, 3], pads: [1, 1, 1, 1]),
                        groups: 4, hasBias: true, inputShape: [5, 4, 9, 13], samplesPerProduct: 1),
        ConvolutionCase(inputChannels: 3, outputChannels: 9,
                        window: WindowGeometry(kernel: [2, 3], strides: [2, 1], dilations: [2, 1], pads: [1, 0, 0, 2]),
                        groups: 3, hasBias: true, inputShape: [5, 3, 10, 11], samplesPerProduct: 1),
        ConvolutionCase(inputChannels: 2, outputChannels: 4,
                        window: WindowGeometry(kernel: [3, 1], strides: [1, 3], pads: [2, 0, 0, 0]),
                        groups: 2, hasBias: false, inputShape: [5, 2, 7, 10], samplesPerProduct: 1),
        // Wide rows: 16-column blocks (column stride 1) and even-lane blocks (column stride 2).
        ConvolutionCase(inputChannels: 2, outputChannels: 2,
                        window: WindowGeometry(kernel: [3, 5], dilations: [1, 2], pads: [1, 4, 1, 4]),
                        groups: 2, hasBias: true, inputShape: [5, 2, 5, 40], samplesPerProduct: 1),
        ConvolutionCase(inputChannels: 3, outputChannels: 6,
                        window: WindowGeometry(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]),
                        groups: 3, hasBias: true, inputShape: [5, 3, 6, 37], samplesPerProduct: 1),
    ]

    /// Depthwise cases run both the direct loops and im2col + one GEMM per group.
    @Test(arguments: cases)
    func forwardAndBackwardMatchTheDirectDefinition(_ configuration: ConvolutionCase) {
        let depthwise = configuration.groups == configuration.inputChannels
        for usesDepthwiseLoops in depthwise ? [true, false] : [true] {
            check(configuration, usesDepthwiseLoops: usesDepthwiseLoops)
        }
    }

    private func check(_ configuration: ConvolutionCase, usesDepthwiseLoops: Bool) {
        var generator = SeededRandomNumberGenerator(seed: 41)
        let layer = Convolution2D(
            name: "conv", inputChannels: configuration.inputChannels, outputChannels: configuration.outputChannels,
            window: configuration.window, groups: configuration.groups, hasBias: configuration.hasBias,
            generator: &generator)
        #expect(layer.isDepthwise == (configuration.groups == configuration.inputChannels))
        layer.usesDepthwiseLoops = usesDepthwiseLoops
        let shape = configuration.inputShape
        let size = configuration.window.outputSize(height: shape[2], width: shape[3])!
        let lowered = ConvolutionGeometry(channels: shape[1], height: shape[2], width: shape[3],
                                          window: configuration.window, groups: configuration.groups)
        layer.minimumSamplesPerChunk = 2
        layer.minimumChannelsPerChunk = 1
        layer.columnBudget = configuration.samplesPerProduct * lowered.columnRows * lowered.outputPixels
        let input = Tensor.randomNormal(shape: shape, using: &generator)
        let outputGradient = Tensor.randomNormal(
            shape: [shape[0], configuration.outputChannels, size.height, size.width], using: &generator)
        let reference = NaiveConvolution(window: configuration.window, groups: configuration.groups,
                                          weight: layer.weight.value, bias: layer.bias?.value)

        let (output, inputGradient) = Parallelism.withThreadCount(2) {
            let output = layer.forward(input, mode: .training)
            return (output, layer.backward(outputGradient))
        }
        let path = usesDepthwiseLoops ? "default path" : "lowered path"
        #expect(output.shape == reference.outputShape(for: shape), "\(path)")
        #expect(NaiveConvolution.worstError(output.scalars, reference.forward(input)) < 1e-5, "\(path)")
        let expected = reference.backward(input, outputGradient: outputGradient)
        #expect(inputGradient.shape == shape, "\(path)")
        #expect(NaiveConvolution.worstError(inputGradient.scalars, expected.input) < 1e-5, "\(path)")
        #expect(NaiveConvolution.worstError(layer.weight.gradient.scalars, expected.weight) < 1e-4, "\(path)")
        if let bias = layer.bias {
            #expect(NaiveConvolution.worstError(bias.gradient.scalars, expected.bias) < 1e-4, "\(path)")
        }
    }

    /// Backward without an input gradient still adds the parameter gradients, and adds (not
    /// overwrites) on a second call, in both paths.
    @Test(arguments: [1, 3])
    func parameterGradientsAccumulateWithoutInputGradient(groups: Int) {
        var generator = SeededRandomNumberGenerator(seed: 42)
        let layer = Convolution2D(name: "conv", inputChannels: 3, outputChannels: 6,
                                  window: WindowGeometry(kernel: [3, 2], pads: [1, 0, 1, 1]), groups: groups,
                                  generator: &generator)
        let input = Tensor.randomNormal(shape: [2, 3, 5, 6], using: &generator)
        let outputGradient = Tensor.randomNormal(shape: [2, 6, 5, 6], using: &generator)
        _ = layer.forward(input, mode: .training)
        #expect(layer.backward(outputGradient, needsInputGradient: false) == nil)
        let once = (weight: layer.weight.gradient, bias: layer.bias!.gradient)
        let expected = NaiveConvolution(window: layer.window, groups: groups, weight: layer.weight.value, bias: layer.bias!.value)
            .backward(input, outputGradient: outputGradient)
        #expect(NaiveConvolution.worstError(once.weight.scalars, expected.weight) < 1e-4)
        _ = layer.backward(outputGradient, needsInputGradient: false)
        #expect(NaiveConvolution.worstError(layer.weight.gradient.scalars, expected.weight.map { 2 * $0 }) < 1e-4)
        #expect(NaiveConvolution.worstError(layer.bias!.gradient.scalars, expected.bias.map { 2 * $0 }) < 1e-4)
    }
}

/// Shape inference, validation messages, channel coupling and resizing of `Conv2D` nodes.
@Suite struct ConvolutionOperatorShapeTests {
    /// The graph error of a one-node graph, or nil when it resolves.
    static func failure(_ graph: Graph) -> String? {
        do {
            _ = try ResolvedGraph(graph, registry: .standard)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func outputShapeOfAGeneralWindow() throws {
        let op = Convolution2DOperator(
            inputChannels: 3, outputChannels: 5,
            window: WindowGeometry(kernel: [3, 2], strides: [2, 1], dilations: [2, 1], pads: [1, 0, 2, 1]))
        let resolved = try ResolvedGraph(GraphGradientChecking.singleNodeGraph(op, inputShapes: [[1, 3, 9, 7]]),
                                         registry: .standard)
        // Height: (9 + 1 + 2 − 5) / 2 + 1 = 4; width: (7 + 0 + 1 − 2) / 1 + 1 = 7.
        #expect(resolved.shapes["y"] == ValueShape([.batch, .fixed(5), .fixed(4), .fixed(7)]))
        // Attributes round-trip through the registry.
        #expect(resolved.operators[0].attributes == op.attributes)
    }

    @Test func kernelLargerThanThePaddedInputIsRejected() {
        let op = Convolution2DOperator(
            inputChannels: 1, outputChannels: 2, window: WindowGeometry(kernel: [3, 3], dilations: [2, 2], pads: [1, 0, 0, 0]))
        let message = Self.failure(GraphGradientChecking.singleNodeGraph(op, inputShapes: [[1, 1, 2, 7]]))
        #expect(message?.contains("Node 'node' (Conv2D): the 3×3 kernel (dilated to 5×5) does not fit the 2×7 input padded to 3×7") == true,
                "\(message ?? "no error")")
    }

    @Test func groupsMustDivideBothChannelCounts() {
        var graph = GraphGradientChecking.singleNodeGraph(
            Convolution2DOperator(inputChannels: 4, outputChannels: 6, window: WindowGeometry(square: 3)), inputShapes: [[1, 4, 5, 5]])
        graph.nodes[0].attributes["groups"] = .int(3)
        #expect(Self.failure(graph) == "Node 'node' (Conv2D): groups 3 must divide both channel counts 4 and 6")
        graph.nodes[0].attributes["groups"] = .int(4)
        #expect(Self.failure(graph) == "Node 'node' (Conv2D): groups 4 must divide both channel counts 4 and 6")
        graph.nodes[0].attributes["groups"] = .int(2)
        #expect(Self.failure(graph) == nil)
    }

    @Test func channelCouplingAndResizing() throws {
        let window = WindowGeometry(kernel: [3, 3], pads: [1, 1, 1, 1])
        let dense = Convolution2DOperator(inputChannels: 4, outputChannels: 6, window: window)
        #expect(dense.channelCoupling == .producer(outputs: [WeightAxis("weight", axis: 0), WeightAxis("bias", axis: 0)],
                                                   inputs: [WeightAxis("weight", axis: 1)], groups: 1))
        let resizedDense = try #require(dense.resizingChannels(input: 3, output: 5) as? Convolution2DOperator)
        #expect(resizedDense.weightShape == [5, 3, 3, 3] && resizedDense.groups == 1)

        let depthwise = Convolution2DOperator(inputChannels: 4, outputChannels: 4, window: window, groups: 4)
        #expect(depthwise.channelCoupling == .elementwise(perChannel: [WeightAxis("weight", axis: 0), WeightAxis("bias", axis: 0)]))
        let resizedDepthwise = try #require(depthwise.resizingChannels(input: 3, output: 3) as? Convolution2DOperator)
        #expect(resizedDepthwise.inputChannels == 3 && resizedDepthwise.outputChannels == 3 && resizedDepthwise.groups == 3)
        #expect(resizedDepthwise.weightShape == [3, 1, 3, 3] && resizedDepthwise.window == window)
        let noBias = Convolution2DOperator(inputChannels: 4, outputChannels: 4, window: window, groups: 4, hasBias: false)
        #expect(noBias.channelCoupling == .elementwise(perChannel: [WeightAxis("weight", axis: 0)]))

        let multiplied = Convolution2DOperator(inputChannels: 4, outputChannels: 8, window: window, groups: 4)
        #expect(multiplied.channelCoupling == .opaque)
        #expect(multiplied.resizingChannels(input: 3, output: 6) == nil)
        let grouped = Convolution2DOperator(inputChannels: 4, outputChannels: 6, window: window, groups: 2)
        #expect(grouped.channelCoupling == .opaque)
        #expect(grouped.resizingChannels(input: 2, output: 3) == nil)
    }

    @Test func operationCountsFollowTheGroups() {
        let window = WindowGeometry(kernel: [3, 2])
        let grouped = Convolution2DOperator(inputChannels: 4, outputChannels: 6, window: window, groups: 2)
        // 6·5·4 outputs, each 2 channels · 3·2 taps.
        #expect(grouped.operationCount(inputShapes: [[1, 4, 7, 5]], outputShapes: [[1, 6, 5, 4]])
            == OperationCount(multiplyAccumulates: 120 * 12, additions: 120))
        let depthwise = Convolution2DOperator(inputChannels: 4, outputChannels: 8, window: window, groups: 4, hasBias: false)
        #expect(depthwise.operationCount(inputShapes: [[2, 4, 7, 5]], outputShapes: [[2, 8, 5, 4]])
            == OperationCount(multiplyAccumulates: 320 * 6))
    }

    /// A depthwise layer draws its weight and bias like PyTorch: bound 1/√(kernel area).
    @Test func depthwiseInitializationUsesTheGroupFanIn() {
        var generator = SeededRandomNumberGenerator(seed: 43)
        let op = Convolution2DOperator(inputChannels: 8, outputChannels: 8, window: WindowGeometry(square: 3), groups: 8)
        let weights = op.initialWeights(generator: &generator)
        #expect(weights.map(\.shape) == [[8, 1, 3, 3], [8]])
        let bound = Float(1) / 3
        #expect(weights.allSatisfy { $0.scalars.allSatisfy { abs($0) <= bound } })
        #expect((weights[0].scalars.map(abs).max() ?? 0) > 0.8 * bound)
    }
}
