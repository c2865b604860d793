/// Builds a graph node by node: each `add` appends a node and returns the name of the value it
/// produces (named after the node), to pass to later nodes.
///
/// ```swift
/// var builder = GraphBuilder(name: "tiny", inputShape: [1, 28, 28])
/// let flat = builder.add("flatten", FlattenOperator(), builder.input)
/// let logits = builder.add("fc", LinearOperator(inputFeatures: 784, outputFeatures: 10), flat)
/// let graph = builder.finish(outputs: [logits])
/// ```
public struct GraphBuilder {
    public private(set) var graph: Graph

    /// Starts a graph with one float input named `input` of shape `[batch] + inputShape`.
    public init(name: String, inputShape: [Int], inputName: String = "input") {
        graph = Graph(name: name, inputs: [ValueInfo(name: inputName, shape: .batched(inputShape))], outputs: [], nodes: [])
    }

    /// The first graph input's name.
    public var input: String { graph.inputs[0].name }

    /// Appends a node of `op` named `name` reading `inputs`; returns its (first) output value,
    /// named `name` (further outputs are `name:1`, `name:2`, …).
    @discardableResult
    public mutating func add(_ name: String, _ op: some Operator, _ inputs: String...) -> String {
        add(name, op, inputs: inputs)
    }

    /// Appends a node of `op` named `name` reading `inputs`; returns its (first) output value.
    @discardableResult
    public mutating func add(_ name: String, _ op: some Operator, inputs: [String]) -> String {
        let outputs = [name] + (1..<max(1, op.outputCount)).map { "\(name):\($0)" }
        graph.nodes.append(Node(name: name, operatorType: op.typeName, inputs: inputs, outputs: outputs,
                                attributes: op.attributes))
        return name
    }

    /// The graph with these outputs (the last node's output when empty).
    public func finish(outputs: [String] = []) -> Graph {
        var result = graph
        result.outputs = outputs.isEmpty ? (graph.nodes.last.map { [$0.outputs[0]] } ?? []) : outputs
        return result
    }
}
