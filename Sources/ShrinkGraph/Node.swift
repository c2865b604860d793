/// One operation in a graph: an op type from the registry applied to named input values,
/// producing named output values. The node's weights are not graph values: the op declares
/// them (`Operator.weights`) and they are addressed as `<node name>.<weight name>`
/// (`conv1.weight`, `bn1.running_mean`).
public struct Node: Hashable, Sendable {
    /// Unique within the graph; no dots.
    public var name: String
    /// The op's registry name (`Conv2D`, `Add`).
    public var operatorType: String
    /// The values read, in the op's order.
    public var inputs: [String]
    /// The values produced, in the op's order.
    public var outputs: [String]
    public var attributes: Attributes

    public init(name: String, operatorType: String, inputs: [String], outputs: [String], attributes: Attributes = [:]) {
        self.name = name
        self.operatorType = operatorType
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// The full name of one of this node's weights: `<node>.<weight>`.
    public func weightName(_ weight: String) -> String { "\(name).\(weight)" }
}

/// The element type of a graph value.
public enum ElementType: String, Hashable, Sendable, CaseIterable {
    /// IEEE single precision: every activation today.
    case float32
    /// Integer token ids (embeddings' inputs), carried as exact integers in Float storage up
    /// to 2^24 until an integer tensor exists.
    case int64
}

/// A graph input: a named value with its element type and shape (first dimension the batch).
public struct ValueInfo: Hashable, Sendable {
    public var name: String
    public var elementType: ElementType
    public var shape: ValueShape

    public init(name: String, elementType: ElementType = .float32, shape: ValueShape) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
    }
}
