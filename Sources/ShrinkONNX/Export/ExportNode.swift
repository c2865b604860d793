import ShrinkGraph

/// One Shrink node as the exporter reads it: the node, its resolved op, the shapes of its
/// inputs and outputs, and attribute access that names the node in every error.
struct ExportNode {
    let node: Node
    /// The node's position in the graph.
    let index: Int
    let op: any Operator
    let inputShapes: [ValueShape]
    let outputShapes: [ValueShape]

    var name: String { node.name }
    var type: String { node.operatorType }
    var output: String { node.outputs[0] }

    /// The op's attributes with their defaults filled in.
    var attributes: Attributes { op.attributes }

    /// An error naming this node and its op.
    func failure(_ reason: String) -> ONNXError {
        .export("node '\(name)' (\(type)): \(reason)")
    }

    func int(_ name: String, default defaultValue: Int? = nil) throws(ONNXError) -> Int {
        guard attributes[name] != nil || defaultValue == nil else { return defaultValue! }
        do { return try attributes.int(name) } catch { throw failure(error.message) }
    }

    func ints(_ name: String, default defaultValue: [Int]? = nil) throws(ONNXError) -> [Int] {
        guard attributes[name] != nil || defaultValue == nil else { return defaultValue! }
        do { return try attributes.ints(name) } catch { throw failure(error.message) }
    }

    func float(_ name: String, default defaultValue: Float? = nil) throws(ONNXError) -> Float {
        guard attributes[name] != nil || defaultValue == nil else { return defaultValue! }
        do { return try attributes.float(name) } catch { throw failure(error.message) }
    }

    func floats(_ name: String, default defaultValue: [Float]? = nil) throws(ONNXError) -> [Float] {
        guard attributes[name] != nil || defaultValue == nil else { return defaultValue! }
        switch attributes[name] {
        case let .floats(values)?: return values
        case let .float(value)?: return [value]
        case let .ints(values)?: return values.map(Float.init)
        case let .int(value)?: return [Float(value)]
        default: throw failure("attribute '\(name)' must be a list of floats")
        }
    }
}
