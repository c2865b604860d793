import ShrinkNN
import ShrinkTensor

/// Test-only op that reverses the order of the channels (axis 1): its channels cannot be
/// followed, so its coupling is `.opaque` and it cannot be resized.
struct TestChannelReversalOperator: Operator {
    static let typeName = "TestChannelReversal"
    static let attributeDeclarations: [AttributeDeclaration] = []

    init() {}
    init(attributes: Attributes) throws(OperatorError) {}
    var attributes: Attributes { [:] }

    func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        guard inputShapes[0].rank >= 2 else { throw OperatorError("expects a channel axis") }
        return inputShapes
    }

    func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }

    func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        TestChannelReversalKernel()
    }
}

private final class TestChannelReversalKernel: OperatorKernel {
    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] { [Self.reversed(inputs[0])] }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        [needsInputGradients[0] ? Self.reversed(outputGradients[0]) : nil]
    }

    /// `tensor` with the channels of every sample in reverse order (reversal is its own inverse).
    static func reversed(_ tensor: Tensor) -> Tensor {
        let batch = tensor.shape[0], channels = tensor.shape[1]
        let inner = tensor.count / (batch * channels)
        var scalars = [Float]()
        scalars.reserveCapacity(tensor.count)
        for sample in 0..<batch {
            for channel in (0..<channels).reversed() {
                let start = (sample * channels + channel) * inner
                scalars += tensor.scalars[start..<start + inner]
            }
        }
        return Tensor(shape: tensor.shape, scalars: scalars)
    }
}
