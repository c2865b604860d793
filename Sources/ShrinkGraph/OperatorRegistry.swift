/// The ops a graph may use, by type name. ShrinkNN provides `OperatorRegistry.standard`; the
/// file reader, the ONNX importer and the runtime look ops up here.
public struct OperatorRegistry: Sendable {
    public private(set) var types: [String: any Operator.Type]

    public init(_ types: [any Operator.Type]) {
        var table = [String: any Operator.Type]()
        for type in types {
            precondition(table[type.typeName] == nil, "op type '\(type.typeName)' registered twice")
            table[type.typeName] = type
        }
        self.types = table
    }

    /// The registered type names, sorted.
    public var typeNames: [String] { types.keys.sorted() }

    /// The op configured by `node`'s attributes.
    /// - Throws: `GraphError.unknownOperator` or `.invalidNode` with the op's reason.
    public func makeOperator(for node: Node) throws(GraphError) -> any Operator {
        guard let type = types[node.operatorType] else {
            throw .unknownOperator(node: node.name, type: node.operatorType, known: typeNames)
        }
        do {
            let attributes = try node.attributes.checked(against: type.attributeDeclarations)
            return try type.init(attributes: attributes)
        } catch {
            throw .invalidNode(node: node.name, type: node.operatorType, reason: error.message)
        }
    }
}
