/// The value of one node attribute. The kinds mirror ONNX's scalar and list attributes.
public enum AttributeValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case ints([Int])
    case float(Float)
    case floats([Float])
    case string(String)

    /// The kind, for declarations and error messages.
    public var kind: AttributeKind {
        switch self {
        case .int: .int
        case .ints: .ints
        case .float: .float
        case .floats: .floats
        case .string: .string
        }
    }

    public var description: String {
        switch self {
        case let .int(value): "\(value)"
        case let .ints(values): "\(values)"
        case let .float(value): "\(value)"
        case let .floats(values): "\(values)"
        case let .string(value): "\"\(value)\""
        }
    }
}

/// The kind of an attribute value.
public enum AttributeKind: String, Hashable, Sendable, CaseIterable {
    case int, ints, float, floats, string
}

/// One attribute an op reads: its name, kind and the default used when a node omits it
/// (nil: required).
public struct AttributeDeclaration: Hashable, Sendable {
    public var name: String
    public var kind: AttributeKind
    public var defaultValue: AttributeValue?

    public init(_ name: String, _ kind: AttributeKind, default defaultValue: AttributeValue? = nil) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
    }
}
