import ShrinkFormats
import ShrinkKernels
import ShrinkNN
@testable import ShrinkRuntime
import ShrinkTensor
import Testing

/// Native steps (depthwise Conv2D, MaxPool2D, same-shape Add on the arena) against the ops' own
/// kernels (GraphNetwork) and the fused clamp.
@Suite("ExecutionPlan native steps")
struct ExecutionPlanNativeStepTests {
    static let depthwiseCases: [(kernel: Int, stride: Int, padding: Int, batchNorm: Bool, relu6: Bool)] = [
        (3, 1, 1, true, true), (3, 2, 1, true, true), (3, 1, 0, false, false), (3, 2, 0, false, true),
        (5, 2, 2, true, false), (1, 1, 0, false, false),
    ]

    /// input [6, 9, 10] → depthwise conv → (bn) → (relu6) → maxpool (3×2, strides 2×1, pads
    /// [1, 0, 0, 1], ceil mode) → flatten → fc (→ 5).
    static func depthwiseGraph(_ c: (kernel: Int, stride: Int, padding: Int, batchNorm: Bool, relu6: Bool)) -> Graph {
        var builder = GraphBuilder(name: "depthwise", inputShape: [6, 9, 10])
        var x = builder.add("dw", Convolution2DOperator(inputChannels: 6, outputChannels: 6,
                                                        window: WindowGeometry(square: c.kernel, stride: c.stride, padding: c.padding),
                                                        groups: 6, hasBias: !c.batchNorm), builder.input)
        if c.batchNorm { x = builder.add("bn", BatchNormalizationOperator(channels: 6), x) }
        if c.relu6 { x = builder.add("relu6", ReLU6Operator(), x) }
        x = builder.add("pool", MaxPool2DOperator(window: WindowGeometry(kernel: [3, 2], strides: [2, 1], pads: [1, 0, 0, 1]),
                                                  ceilMode: true), x)
        x = builder.add("flatten", FlattenOperator(), x)
        let height = (9 + 2 * c.padding - c.kernel) / c.stride + 1, width = (10 + 2 * c.padding - c.kernel) / c.stride + 1
        let pooledHeight = Int((Double(height + 1 - 3) / 2).rounded(.up)) + 1
        let pooledHeightClamped = (pooledHeight - 1) * 2 >= height + 1 ? pooledHeight - 1 : pooledHeight
        let features = 6 * pooledHeightClamped * width
        x = builder.add("fc", LinearOperator(inputFeatures: features, outputFeatures: 5), x)
        return builder.finish()
    }

    @Test("depthwise Conv2D and MaxPool2D run natively and match the op kernels", arguments: 0..<depthwiseCases.count)
    func depthwiseAndMaxPool(caseIndex: Int) throws {
        let c = Self.depthwiseCases[caseIndex]
        let graph = Self.depthwiseGraph(c)
        let network = try GraphFixtures.network(graph, seed: UInt64(50 + caseIndex))
        let plan = try ExecutionPlan(graph: graph, tensors: GraphFixtures.tensors(network))
        let kinds = plan.layers.map(\.kernel)
        #expect(kinds[0] == .native("Conv2D") && kinds.contains(.native("MaxPool2D")), "\(kinds)")
        if c.batchNorm { #expect(kinds[1] == .folded(into: "dw")) }
        if c.relu6 { #expect(kinds[c.batchNorm ? 2 : 1] == .fused(into: "dw")) }
        for batch in [1, 3] {
            let input = GraphFixtures.input(batch: batch, shape: [6, 9, 10], seed: UInt64(60 + batch))
            let error = ExecutionPlanTests.relativeError(try plan.run(input), network.forward(input, mode: .inference))
            #expect(error <= 1e-5, "\(c) batch \(batch): \(error)")
        }
    }

    @Test("a residual Add of two same-shape values and a GlobalAveragePool run natively and match the op kernels")
    func residualAdd() throws {
        var builder = GraphBuilder(name: "residual", inputShape: [4, 6, 6])
        var x = builder.add("conv", Convolution2DOperator(inputChannels: 4, outputChannels: 4,
                                                          window: WindowGeometry(square: 3, padding: 1)), builder.input)
        x = builder.add("relu", ReLUOperator(), x)
        x = builder.add("add", AdditionOperator(), inputs: [x, builder.input])
        x = builder.add("relu2", ReLUOperator(), x)
        x = builder.add("gap", GlobalAveragePoolOperator(), x)
        x = builder.add("flatten", FlattenOperator(), x)
        x = builder.add("fc", LinearOperator(inputFeatures: 4, outputFeatures: 3), x)
        let graph = builder.finish()
        let network = try GraphFixtures.network(graph, seed: 70)
        let plan = try ExecutionPlan(graph: graph, tensors: GraphFixtures.tensors(network))
        #expect(plan.layers[2].kernel == .native("Add") && plan.layers[3].kernel == .fused(into: "add"))
        #expect(plan.layers[4].kernel == .native("GlobalAveragePool"))
        for batch in [1, 2] {
            let input = GraphFixtures.input(batch: batch, shape: [4, 6, 6], seed: UInt64(80 + batch))
            let error = ExecutionPlanTests.relativeError(try plan.run(input), network.forward(input, mode: .inference))
            #expect(error <= 1e-5, "batch \(batch): \(error)")
        }
    }

    /// The native MaxPool2D against the op kernel, exactly, on the geometries with their own code
    /// paths (3×3 stride 2 as in ResNet stems, rows of up to 32 in AVX-512 registers; 2×2 stride 2)
    /// and general ones, with windows that hang over every border, on every CPU path.
    @Test("MaxPool2D runs natively and equals the op kernel", arguments: [
        WindowGeometry(square: 3, stride: 2, padding: 1), WindowGeometry(square: 2, stride: 2),
        WindowGeometry(square: 3, stride: 2), WindowGeometry(kernel: [2, 3], strides: [1, 2], pads: [0, 1, 1, 0]),
        WindowGeometry(square: 5, stride: 3, padding: 2),
    ])
    func maxPool(window: WindowGeometry) throws {
        for (height, width) in [(28, 28), (7, 9)] {
            var builder = GraphBuilder(name: "pool", inputShape: [3, height, width])
            var x = builder.add("pool", MaxPool2DOperator(window: window), builder.input)
            x = builder.add("flatten", FlattenOperator(), x)
            let graph = builder.finish()
            let network = try GraphFixtures.network(graph, seed: 90)
            let plan = try ExecutionPlan(graph: graph, tensors: GraphFixtures.tensors(network))
            #expect(plan.layers[0].kernel == .native("MaxPool2D"))
            for path in CPUPath.available {
                for batch in [1, 2] {
                    let input = GraphFixtures.input(batch: batch, shape: [3, height, width], seed: UInt64(91 + batch))
                    let output = try CPUPath.withPath(path) { try plan.run(input) }
                    #expect(output == network.forward(input, mode: .inference), "\(window) \(height)×\(width) on \(path)")
                }
            }
        }
    }

    /// Depthwise convolutions on both kernel paths: small output planes (≤ 16 pixels, ≥ 8
    /// channels) run channels-last, larger ones plane by plane through a padded copy; with a
    /// folded BatchNorm and a ReLU6 clamp, against the op kernels, on every CPU path.
    @Test("depthwise Conv2D on small and large planes matches the op kernels", arguments: [
        (channels: 12, size: 4, kernel: 3, stride: 1, padding: 1), (channels: 40, size: 1, kernel: 3, stride: 1, padding: 1),
        (channels: 9, size: 7, kernel: 3, stride: 2, padding: 1), (channels: 17, size: 2, kernel: 3, stride: 1, padding: 1),
        (channels: 8, size: 5, kernel: 5, stride: 2, padding: 2), (channels: 10, size: 14, kernel: 3, stride: 1, padding: 1),
        (channels: 10, size: 14, kernel: 3, stride: 2, padding: 1), (channels: 4, size: 3, kernel: 3, stride: 1, padding: 1),
    ])
    func depthwisePaths(shape: (channels: Int, size: Int, kernel: Int, stride: Int, padding: Int)) throws {
        let inputShape = [shape.channels, shape.size, shape.size]
        var builder = GraphBuilder(name: "depthwise", inputShape: inputShape)
        var x = builder.add("dw", Convolution2DOperator(
            inputChannels: shape.channels, outputChannels: shape.channels,
            window: WindowGeometry(square: shape.kernel, stride: shape.stride, padding: shape.padding),
            groups: shape.channels, hasBias: false), builder.input)
        x = builder.add("bn", BatchNormalizationOperator(channels: shape.channels), x)
        x = builder.add("relu6", ReLU6Operator(), x)
        x = builder.add("flatten", FlattenOperator(), x)
        let graph = builder.finish()
        let network = try GraphFixtures.network(graph, seed: 120)
        let plan = try ExecutionPlan(graph: graph, tensors: GraphFixtures.tensors(network))
        #expect(plan.layers[0].kernel == .native("Conv2D"))
        for path in CPUPath.available {
            for batch in [1, 2] {
                let input = GraphFixtures.input(batch: batch, shape: inputShape, seed: UInt64(121 + batch))
                let output = try CPUPath.withPath(path) { try plan.run(input) }
                let error = ExecutionPlanTests.relativeError(output, network.forward(input, mode: .inference))
                #expect(error <= 1e-5, "\(shape) on \(path), batch \(batch): \(error)")
            }
        }
    }
}
