/// Why a graph is invalid. Every case names the node or value at fault.
public enum GraphError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The graph has no nodes, no inputs or no outputs.
    case empty(String)
    /// A node or value name is empty, contains a dot (names address weights as `node.weight`)
    /// or is used twice.
    case invalidName(String, reason: String)
    /// A node's op type is not in the registry.
    case unknownOperator(node: String, type: String, known: [String])
    /// A node reads a value that no graph input or earlier node produces.
    case undefinedValue(node: String, value: String)
    /// A graph output names no value.
    case undefinedOutput(String)
    /// The nodes form a cycle through these nodes.
    case cycle(nodes: [String])
    /// A node's attributes, input count or input shapes are invalid for its op.
    case invalidNode(node: String, type: String, reason: String)
    /// A graph input's shape is invalid.
    case invalidInput(name: String, reason: String)

    public var description: String {
        switch self {
        case let .empty(what): "The graph has no \(what)"
        case let .invalidName(name, reason): "Invalid name '\(name)': \(reason)"
        case let .unknownOperator(node, type, known):
            "Node '\(node)' has unknown op type '\(type)' (known: \(known.joined(separator: ", ")))"
        case let .undefinedValue(node, value): "Node '\(node)' reads '\(value)', which nothing before it produces"
        case let .undefinedOutput(name): "Graph output '\(name)' is not produced by any node or input"
        case let .cycle(nodes): "The graph has a cycle through nodes \(nodes.joined(separator: ", "))"
        case let .invalidNode(node, type, reason): "Node '\(node)' (\(type)): \(reason)"
        case let .invalidInput(name, reason): "Graph input '\(name)': \(reason)"
        }
    }
}
