import ShrinkNN
import ShrinkTensor

/// Test-only per-channel scale with a deliberate bug: it declares a per-channel weight but does
/// not resize (`resizingChannels` returns the op unchanged), so graph surgery's checks must
/// catch it. With `check_input = 1` its shape inference rejects the wrong channel count (the
/// pruned graph does not validate); with 0 it passes the shape through (the sliced weight no
/// longer matches the declared one).
struct TestStaleScaleOperator: Operator {
    static let typeName = "TestStaleScale"
    static let attributeDeclarations = [AttributeDeclaration("channels", .int), AttributeDeclaration("check_input", .int)]
    var channels: Int
    var checksInput: Bool

    init(channels: Int, checksInput: Bool) {
        self.channels = channels
        self.checksInput = checksInput
    }

    init(attributes: Attributes) throws(OperatorError) {
        channels = try attributes.int("channels")
        checksInput = try attributes.bool("check_input")
    }

    var attributes: Attributes { ["channels": .int(channels), "check_input": .int(checksInput ? 1 : 0)] }

    var weights: [WeightDeclaration] { [WeightDeclaration(name: "scale", shape: [channels], role: .normalizationScale)] }

    func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        if checksInput, inputShapes[0][1] != .fixed(channels) { throw OperatorError("expects \(channels) channels") }
        return inputShapes
    }

    func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(multiplies: outputShapes[0].reduce(1, *))
    }

    var channelCoupling: ChannelCoupling { .elementwise(perChannel: [WeightAxis("scale", axis: 0)]) }

    func resizingChannels(input: Int, output: Int) -> (any Operator)? { self }

    func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        TestStaleScaleKernel(scale: weights[0])
    }
}

private final class TestStaleScaleKernel: OperatorKernel {
    let scale: Parameter
    private var input: Tensor?

    init(scale: Parameter) {
        self.scale = scale
    }

    private func channel(of index: Int, shape: [Int]) -> Int {
        (index / shape[2...].reduce(1, *)) % shape[1]
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        var output = inputs[0]
        if mode == .training { input = inputs[0] }
        for index in 0..<output.count { output.scalars[index] *= scale.value.scalars[channel(of: index, shape: output.shape)] }
        return [output]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let input else { preconditionFailure("backward without a training forward") }
        var inputGradient = outputGradients[0]
        for index in 0..<inputGradient.count {
            let channel = channel(of: index, shape: input.shape)
            scale.gradient.scalars[channel] += inputGradient.scalars[index] * input.scalars[index]
            inputGradient.scalars[index] *= scale.value.scalars[channel]
        }
        return [needsInputGradients[0] ? inputGradient : nil]
    }
}
