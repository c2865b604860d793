import ShrinkGraph
import ShrinkKernels

/// Why a graph cannot be compiled into an execution plan, or a run's arguments do not fit it.
/// Every compile error names the node at fault.
public enum ExecutionPlanError: Error, CustomStringConvertible {
    /// The graph does not validate (unknown op, bad attributes, shapes that do not fit).
    case invalidGraph(GraphError)
    /// The tensors lack a weight the node's op declares.
    case missingTensor(node: String, name: String)
    /// A tensor's shape differs from the op's declaration.
    case tensorShape(node: String, name: String, expected: [Int], got: [Int])
    /// A packed kernel rejected the node's weights.
    case kernel(node: String, RuntimeKernelError)
    /// The node cannot run in this runtime (symbolic per-sample sizes, a kernel's wrong output).
    case unsupported(node: String, reason: String)
    /// The input to `run` does not have the model's per-sample shape.
    case inputShape(expectedSample: [Int], got: [Int])
    /// The graph's batch axis is a fixed size (`ExecutionPlan.fixedBatchSize`) and the run has
    /// another batch size.
    case batchSize(expected: Int, got: Int)
    /// The buffers given to `run(input:batch:output:)` do not hold `batch` samples.
    case bufferSizes(batch: Int, input: Int, output: Int)
    /// `run(inputs:)` lacks a graph input, or the single-input API was used on a multi-input graph.
    case inputs(String)

    /// A one-line message.
    public var description: String {
        switch self {
        case let .invalidGraph(error): "invalid graph: \(error)"
        case let .missingTensor(node, name): "node '\(node)': no tensor '\(name)'"
        case let .tensorShape(node, name, expected, got): "node '\(node)': tensor '\(name)' has shape \(got), expected \(expected)"
        case let .kernel(node, error): "node '\(node)': \(error)"
        case let .unsupported(node, reason): "node '\(node)': \(reason)"
        case let .inputShape(expected, got): "input \(got) is not [batch] + \(expected)"
        case let .batchSize(expected, got): "the graph's batch axis is fixed at \(expected); got a batch of \(got)"
        case let .bufferSizes(batch, input, output):
            "\(input) input and \(output) output values do not hold \(batch) samples"
        case let .inputs(message): message
        }
    }
}
