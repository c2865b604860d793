/// A model as a directed acyclic graph of nodes over named values: what training runs, what
/// compression rewrites, what the model file stores (docs/FORMAT.md, "Graph") and what the
/// runtime compiles.
///
/// Values are named; each is produced exactly once (by a graph input or one node output) and may
/// be read by any number of nodes (fan-out). Nodes are stored in a topological order
/// (`Graph.validated` checks it); the graph holds no tensors: the weights its ops declare live
/// beside it (a network's parameters, a file's tensor table).
public struct Graph: Hashable, Sendable {
    /// A short identifier such as `lenet-5`.
    public var name: String
    /// The values the caller provides.
    public var inputs: [ValueInfo]
    /// The values returned, by name.
    public var outputs: [String]
    /// The operations, each after the producers of its inputs.
    public var nodes: [Node]

    public init(name: String, inputs: [ValueInfo], outputs: [String], nodes: [Node]) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.nodes = nodes
    }

    /// The node named `name`.
    public func node(named name: String) -> Node? { nodes.first { $0.name == name } }

    /// The index of the node that produces `value`, or nil for graph inputs (and unknown values).
    public func producerIndex(of value: String) -> Int? {
        nodes.firstIndex { $0.outputs.contains(value) }
    }

    /// For each value, the indices of the nodes that read it (in node order, once per node).
    public var consumers: [String: [Int]] {
        var result = [String: [Int]]()
        for (index, node) in nodes.enumerated() {
            for input in Set(node.inputs) { result[input, default: []].append(index) }
        }
        for key in result.keys { result[key]!.sort() }
        return result
    }
}
