import ShrinkNN
import ShrinkTensor

/// Test-only concatenation of 2 or more inputs along axis 1 (stands in for the `Concat` op
/// written on another branch): `.concatenation`.
struct TestConcatOperator: Operator {
    static let typeName = "TestConcat"
    static let attributeDeclarations: [AttributeDeclaration] = []

    init() {}
    init(attributes: Attributes) throws(OperatorError) {}
    var attributes: Attributes { [:] }
    var inputCount: ClosedRange<Int> { 2...8 }

    func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        let first = inputShapes[0]
        var channels = 0
        for shape in inputShapes {
            guard shape.rank == first.rank, shape.rank >= 2, let count = shape[1].fixedValue,
                  Array(shape.dimensions.dropFirst(2)) == Array(first.dimensions.dropFirst(2)), shape[0] == first[0] else {
                throw OperatorError("inputs must differ only on axis 1, got \(inputShapes)")
            }
            channels += count
        }
        var output = first
        output[1] = .fixed(channels)
        return [output]
    }

    func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }

    var channelCoupling: ChannelCoupling { .concatenation }

    func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        TestConcatKernel()
    }
}

private final class TestConcatKernel: OperatorKernel {
    /// Elements per sample of each input in the last training forward.
    private var sampleSizes: [Int] = []

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let batch = inputs[0].shape[0]
        let sizes = inputs.map { $0.count / batch }
        if mode == .training { sampleSizes = sizes }
        var scalars = [Float]()
        scalars.reserveCapacity(inputs.reduce(0) { $0 + $1.count })
        for sample in 0..<batch {
            for (input, size) in zip(inputs, sizes) {
                scalars += input.scalars[(sample * size)..<((sample + 1) * size)]
            }
        }
        var shape = inputs[0].shape
        shape[1] = inputs.reduce(0) { $0 + $1.shape[1] }
        return [Tensor(shape: shape, scalars: scalars)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        let gradient = outputGradients[0]
        let batch = gradient.shape[0]
        let total = sampleSizes.reduce(0, +)
        var start = 0
        return zip(sampleSizes, needsInputGradients).map { size, needed in
            defer { start += size }
            guard needed else { return nil }
            var scalars = [Float]()
            for sample in 0..<batch {
                scalars += gradient.scalars[(sample * total + start)..<(sample * total + start + size)]
            }
            var shape = gradient.shape
            shape[1] = size / (gradient.count / batch / gradient.shape[1])
            return Tensor(shape: shape, scalars: scalars)
        }
    }
}
