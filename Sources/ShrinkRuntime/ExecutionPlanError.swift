import ShrinkKernels

/// Why a model file cannot be turned into an execution plan.
public enum ExecutionPlanError: Error, CustomStringConvertible {
    /// The file lacks a tensor the layer needs.
    case missingTensor(name: String)
    /// A packed kernel rejected the layer's weights.
    case kernel(layer: String, RuntimeKernelError)
    /// The input to `run` does not have the model's per-sample shape.
    case inputShape(expectedSample: [Int], got: [Int])
    /// The buffers given to `run(input:batch:output:)` do not hold `batch` samples.
    case bufferSizes(batch: Int, input: Int, output: Int)

    /// A one-line message.
    public var description: String {
        switch self {
        case let .missingTensor(name): "the model file has no tensor '\(name)'"
        case let .kernel(layer, error): "layer '\(layer)': \(error)"
        case let .inputShape(expected, got): "input \(got) is not [batch] + \(expected)"
        case let .bufferSizes(batch, input, output):
            "\(input) input and \(output) output values do not hold \(batch) samples"
        }
    }
}
