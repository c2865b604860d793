/// Why an op rejects its attributes, inputs or shapes: one line, without the node's name (the
/// graph adds it: `GraphError.invalidNode`).
public struct OperatorError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
