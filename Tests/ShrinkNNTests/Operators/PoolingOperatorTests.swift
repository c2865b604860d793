import ShrinkGraph
import ShrinkTensor
import Testing
@testable import ShrinkNN

/// Pooling by the definition, in Double: PyTorch's output size (ceil mode: rounded up, but the
/// last window starts inside the input or its leading padding), max over image elements only,
/// averages over image elements or over the window's extent in the padded input.
enum NaivePooling {
    enum Kind { case max, average(countIncludePad: Bool) }

    static func extent(_ input: Int, kernel: Int, stride: Int, padBegin: Int, padEnd: Int, ceilMode: Bool) -> Int {
        let room = Double(input + padBegin + padEnd - kernel) / Double(stride)
        var extent = Int(ceilMode ? room.rounded(.up) : room.rounded(.down)) + 1
        if ceilMode && (extent - 1) * stride >= input + padBegin { extent -= 1 }
        return extent
    }

    static func pool(_ input: Tensor, window: WindowGeometry, ceilMode: Bool, kind: Kind) -> (shape: [Int], values: [Double]) {
        let (planes, height, width) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let (kernelHeight, kernelWidth) = (window.kernel[0], window.kernel[1])
        let outputHeight = extent(height, kernel: kernelHeight, stride: window.strides[0], padBegin: window.pads[0],
                                  padEnd: window.pads[2], ceilMode: ceilMode)
        let outputWidth = extent(width, kernel: kernelWidth, stride: window.strides[1], padBegin: window.pads[1],
                                 padEnd: window.pads[3], ceilMode: ceilMode)
        var values = [Double]()
        for plane in 0..<planes {
            for outputRow in 0..<outputHeight {
                for outputColumn in 0..<outputWidth {
                    let top = outputRow * window.strides[0] - window.pads[0]
                    let left = outputColumn * window.strides[1] - window.pads[1]
                    var maximum = -Double.infinity, sum = 0.0, count = 0
                    for row in top..<(top + kernelHeight) where row >= 0 && row < height {
                        for column in left..<(left + kernelWidth) where column >= 0 && column < width {
                            let value = Double(input.scalars[(plane * height + row) * width + column])
                            maximum = max(maximum, value)
                            sum += value
                            count += 1
                        }
                    }
                    switch kind {
                    case .max:
                        values.append(maximum)
                    case let .average(countIncludePad):
                        let paddedRows = min(top + kernelHeight, height + window.pads[2]) - top
                        let paddedColumns = min(left + kernelWidth, width + window.pads[3]) - left
                        values.append(sum / Double(countIncludePad ? paddedRows * paddedColumns : count))
                    }
                }
            }
        }
        return ([input.shape[0], input.shape[1], outputHeight, outputWidth], values)
    }
}

/// Finite-difference checks of the pooling ops' input gradients.
@Suite struct PoolingOperatorGradientTests {
    @Test func maxPoolRectangularStridedAsymmetricPads() throws {
        let window = WindowGeometry(kernel: [2, 3], strides: [2, 1], pads: [1, 0, 0, 2])
        try GraphGradientChecking.check(MaxPool2DOperator(window: window), inputShapes: [[2, 2, 5, 6]], epsilon: 1e-3)
    }

    @Test func maxPoolCeilMode() throws {
        let window = WindowGeometry(kernel: [3, 3], strides: [2, 2], pads: [1, 0, 1, 0])
        try GraphGradientChecking.check(MaxPool2DOperator(window: window, ceilMode: true), inputShapes: [[2, 2, 6, 7]],
                                        epsilon: 1e-3)
    }

    @Test(arguments: [false, true])
    func averagePoolRectangularStridedAsymmetricPads(countIncludePad: Bool) throws {
        let window = WindowGeometry(kernel: [3, 2], strides: [1, 2], pads: [2, 1, 0, 1])
        try GraphGradientChecking.check(AveragePool2DOperator(window: window, countIncludePad: countIncludePad),
                                        inputShapes: [[2, 2, 5, 6]])
    }

    @Test(arguments: [false, true])
    func averagePoolCeilMode(countIncludePad: Bool) throws {
        let window = WindowGeometry(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 0, 1])
        try GraphGradientChecking.check(
            AveragePool2DOperator(window: window, ceilMode: true, countIncludePad: countIncludePad), inputShapes: [[2, 2, 6, 7]])
    }

    @Test func globalAveragePool() throws {
        try GraphGradientChecking.check(GlobalAveragePoolOperator(), inputShapes: [[2, 3, 4, 5]])
    }
}

/// One pooling configuration for the value tests.
struct PoolingCase: Sendable, CustomTestStringConvertible {
    var window: WindowGeometry
    var ceilMode: Bool
    var inputShape: [Int]

    var testDescription: String {
        "kernel \(window.kernel), strides \(window.strides), pads \(window.pads), ceil \(ceilMode), input \(inputShape)"
    }
}

/// Forward values against `NaivePooling`, and the edge cases it pins down.
@Suite struct PoolingValueTests {
    static let cases = [
        PoolingCase(window: WindowGeometry(kernel: [2, 2], strides: [2, 2]), ceilMode: false, inputShape: [3, 2, 7, 9]),
        PoolingCase(window: WindowGeometry(kernel: [2, 2], strides: [2, 2]), ceilMode: true, inputShape: [3, 2, 7, 9]),
        PoolingCase(window: WindowGeometry(kernel: [3, 2], strides: [2, 3], pads: [1, 0, 2, 1]), ceilMode: false,
                    inputShape: [2, 3, 9, 8]),
        PoolingCase(window: WindowGeometry(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]), ceilMode: true,
                    inputShape: [2, 3, 8, 7]),
        PoolingCase(window: WindowGeometry(kernel: [1, 4], strides: [3, 1], pads: [0, 3, 0, 2]), ceilMode: true,
                    inputShape: [1, 2, 10, 5]),
    ]

    @Test(arguments: cases)
    func forwardMatchesTheDefinition(_ configuration: PoolingCase) {
        var generator = SeededRandomNumberGenerator(seed: 51)
        let input = Tensor.randomNormal(shape: configuration.inputShape, using: &generator)
        let window = configuration.window, ceilMode = configuration.ceilMode
        let maximum = MaxPool2D(name: "max", window: window, ceilMode: ceilMode).forward(input, mode: .inference)
        let expectedMaximum = NaivePooling.pool(input, window: window, ceilMode: ceilMode, kind: .max)
        #expect(maximum.shape == expectedMaximum.shape)
        #expect(NaiveConvolution.worstError(maximum.scalars, expectedMaximum.values) == 0)
        for countIncludePad in [false, true] {
            let average = AveragePool2D(name: "average", window: window, ceilMode: ceilMode, countIncludePad: countIncludePad)
                .forward(input, mode: .inference)
            let expected = NaivePooling.pool(input, window: window, ceilMode: ceilMode,
                                             kind: .average(countIncludePad: countIncludePad))
            #expect(average.shape == expected.shape)
            #expect(NaiveConvolution.worstError(average.scalars, expected.values) < 1e-6)
        }
    }

    /// Padding is skipped, not read as zero: a negative image pools to negative maxima, and the
    /// gradient lands on image elements.
    @Test func paddingNeverWinsTheMaximum() {
        let layer = MaxPool2D(name: "pool", window: WindowGeometry(kernel: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1]))
        let input = Tensor(shape: [1, 1, 2, 2], scalars: [-4, -3, -2, -1])
        let output = layer.forward(input, mode: .training)
        #expect(output.shape == [1, 1, 2, 2])
        #expect(output.scalars == [-4, -3, -2, -1])
        #expect(layer.backward(Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])).scalars == [1, 2, 3, 4])
    }

    /// Corner windows of a 3×3 average over a padded 3×3 image hold 4 image elements of 9.
    @Test func averageDivisorCountsImageElementsUnlessPaddingIsIncluded() {
        let window = WindowGeometry(kernel: [3, 3], pads: [1, 1, 1, 1])
        let input = Tensor(repeating: 1, shape: [1, 1, 3, 3])
        let excluded = AveragePool2D(name: "pool", window: window).forward(input, mode: .inference)
        #expect(excluded.scalars.allSatisfy { $0 == 1 })
        let included = AveragePool2D(name: "pool", window: window, countIncludePad: true).forward(input, mode: .inference)
        #expect(abs(included.scalars[0] - Float(4) / 9) < 1e-6 && abs(included.scalars[1] - Float(6) / 9) < 1e-6)
        #expect(abs(included.scalars[4] - 1) < 1e-6)
    }

    @Test func globalAveragePoolTakesPlaneMeans() {
        let kernel = GlobalAveragePool(name: "gap")
        let input = Tensor(shape: [2, 2, 1, 3], scalars: [1, 2, 3, 4, 5, 6, -1, 0, 1, 9, 9, 9])
        let output = kernel.forward([input], mode: .training)[0]
        #expect(output.shape == [2, 2, 1, 1])
        #expect(output.scalars == [2, 5, 0, 9])
        let gradient = kernel.backward([Tensor(shape: [2, 2, 1, 1], scalars: [3, 6, 9, 12])], needsInputGradients: [true])[0]
        #expect(gradient?.scalars == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4])
    }
}

/// Shape inference, validation messages and operation counts of the pooling ops.
@Suite struct PoolingOperatorShapeTests {
    static func outputShape(_ op: some Operator, input: [Int]) throws -> ValueShape? {
        try ResolvedGraph(GraphGradientChecking.singleNodeGraph(op, inputShapes: [input]), registry: .standard).shapes["y"]
    }

    @Test func ceilModeRoundsUpButKeepsTheLastWindowInside() throws {
        let window = WindowGeometry(kernel: [3, 2], strides: [2, 2], pads: [0, 1, 0, 1])
        // Height 6: floor (6 − 3) / 2 + 1 = 2, ceil 3. Width 5 padded to 7: ceil (7 − 2) / 2 + 1 = 4, but the
        // fourth window would start at 6 − 1 = 5, past the image, so 3 (as PyTorch).
        #expect(try Self.outputShape(MaxPool2DOperator(window: window), input: [1, 2, 6, 5])
            == ValueShape([.batch, .fixed(2), .fixed(2), .fixed(3)]))
        #expect(try Self.outputShape(MaxPool2DOperator(window: window, ceilMode: true), input: [1, 2, 6, 5])
            == ValueShape([.batch, .fixed(2), .fixed(3), .fixed(3)]))
        #expect(try Self.outputShape(AveragePool2DOperator(window: window, ceilMode: true), input: [1, 2, 6, 5])
            == ValueShape([.batch, .fixed(2), .fixed(3), .fixed(3)]))
        #expect(try Self.outputShape(GlobalAveragePoolOperator(), input: [1, 7, 6, 5])
            == ValueShape([.batch, .fixed(7), .fixed(1), .fixed(1)]))
    }

    @Test func attributesRoundTripThroughTheRegistry() throws {
        let window = WindowGeometry(kernel: [3, 2], strides: [2, 1], pads: [1, 0, 2, 1])
        let ops: [any Operator] = [
            MaxPool2DOperator(window: window, ceilMode: true),
            AveragePool2DOperator(window: window, ceilMode: true, countIncludePad: true),
            GlobalAveragePoolOperator(),
        ]
        for op in ops {
            let node = Node(name: "pool", operatorType: op.typeName, inputs: ["x"], outputs: ["y"], attributes: op.attributes)
            #expect(try OperatorRegistry.standard.makeOperator(for: node).attributes == op.attributes)
        }
        // Defaults: floor mode, padding excluded from averages.
        let plain = try OperatorRegistry.standard.makeOperator(
            for: Node(name: "pool", operatorType: "AveragePool2D", inputs: ["x"], outputs: ["y"],
                      attributes: ["kernel_shape": .ints([2, 2])]))
        #expect(plain.attributes["ceil_mode"] == .int(0) && plain.attributes["count_include_pad"] == .int(0))
    }

    @Test func invalidWindowsAreRejectedWithClearMessages() {
        func failure(_ type: String, _ attributes: Attributes, input: [Int] = [1, 1, 4, 4]) -> String? {
            let graph = Graph(name: "pool", inputs: [ValueInfo(name: "x", shape: .batched(Array(input.dropFirst())))],
                              outputs: ["y"],
                              nodes: [Node(name: "pool", operatorType: type, inputs: ["x"], outputs: ["y"], attributes: attributes)])
            do {
                _ = try ResolvedGraph(graph, registry: .standard)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(failure("MaxPool2D", ["kernel_shape": .ints([2, 2]), "pads": .ints([2, 0, 0, 0])])
            == "Node 'pool' (MaxPool2D): pads [2, 0, 0, 0] must each be smaller than the 2×2 window")
        #expect(failure("AveragePool2D", ["kernel_shape": .ints([3, 4])], input: [1, 1, 2, 3])
            == "Node 'pool' (AveragePool2D): the 3×4 window does not fit the 2×3 input (input shapes [batch, 1, 2, 3])")
        #expect(failure("AveragePool2D", ["kernel_shape": .ints([3, 4]), "pads": .ints([1, 0, 0, 1])], input: [1, 1, 1, 3])
            == "Node 'pool' (AveragePool2D): the 3×4 window does not fit the 1×3 input padded to 2×4 (input shapes [batch, 1, 1, 3])")
        #expect(failure("MaxPool2D", ["kernel_shape": .ints([2, 2]), "ceil_mode": .int(2)])
            == "Node 'pool' (MaxPool2D): attribute 'ceil_mode' must be 0 or 1, got 2")
        #expect(failure("GlobalAveragePool", [:], input: [1, 4])
            == "Node 'pool' (GlobalAveragePool): expects [batch, channels, height, width] (input shapes [batch, 4])")
    }

    @Test func operationCountsAndCoupling() {
        let window = WindowGeometry(kernel: [3, 2])
        #expect(MaxPool2DOperator(window: window).operationCount(inputShapes: [[2, 3, 6, 5]], outputShapes: [[2, 3, 4, 4]])
            == OperationCount(comparisons: 96 * 5))
        #expect(AveragePool2DOperator(window: window).operationCount(inputShapes: [[2, 3, 6, 5]], outputShapes: [[2, 3, 4, 4]])
            == OperationCount(multiplies: 96, additions: 96 * 6))
        let global = GlobalAveragePoolOperator()
        #expect(global.operationCount(inputShapes: [[2, 3, 6, 5]], outputShapes: [[2, 3, 1, 1]])
            == OperationCount(multiplies: 6, additions: 180))
        #expect(global.channelCoupling == .elementwise(perChannel: []))
        #expect(global.resizingChannels(input: 2, output: 2) != nil)
        #expect(OperatorRegistry.standard.typeNames.contains("GlobalAveragePool"))
    }
}
