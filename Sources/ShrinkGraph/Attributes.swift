/// A node's attributes by name, with typed accessors that fail with a clear message.
///
/// Ops read their attributes in `init(attributes:)`; `checked(against:)` first rejects
/// undeclared names and values of the wrong kind, so an op sees only what it declared.
public struct Attributes: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var values: [String: AttributeValue]

    public init(_ values: [String: AttributeValue] = [:]) {
        self.values = values
    }

    public init(dictionaryLiteral elements: (String, AttributeValue)...) {
        self.values = Dictionary(uniqueKeysWithValues: elements)
    }

    public subscript(name: String) -> AttributeValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// Names in a stable (sorted) order.
    public var names: [String] { values.keys.sorted() }

    /// The attributes with declared defaults filled in, after checking that every name is
    /// declared, every value has its declared kind and every required attribute is present.
    public func checked(against declarations: [AttributeDeclaration]) throws(OperatorError) -> Attributes {
        var result = self
        let declared = Dictionary(uniqueKeysWithValues: declarations.map { ($0.name, $0) })
        for name in names {
            guard let declaration = declared[name] else {
                let known = declarations.map(\.name).sorted().joined(separator: ", ")
                throw OperatorError("unknown attribute '\(name)' (declared: \(known.isEmpty ? "none" : known))")
            }
            let value = values[name]!
            if value.kind != declaration.kind {
                // An int is accepted where a float is declared (JSON writes 1.0 as 1).
                if case let .int(integer) = value, declaration.kind == .float {
                    result.values[name] = .float(Float(integer))
                } else if case let .ints(integers) = value, declaration.kind == .floats {
                    result.values[name] = .floats(integers.map(Float.init))
                } else {
                    throw OperatorError("attribute '\(name)' must be \(declaration.kind.rawValue), got \(value.kind.rawValue)")
                }
            }
        }
        for declaration in declarations where result.values[declaration.name] == nil {
            guard let value = declaration.defaultValue else {
                throw OperatorError("missing required attribute '\(declaration.name)'")
            }
            result.values[declaration.name] = value
        }
        return result
    }

    public func int(_ name: String) throws(OperatorError) -> Int {
        guard case let .int(value)? = values[name] else { throw Self.missing(name, .int) }
        return value
    }

    public func ints(_ name: String) throws(OperatorError) -> [Int] {
        switch values[name] {
        case let .ints(value)?: return value
        case let .int(value)?: return [value]
        default: throw Self.missing(name, .ints)
        }
    }

    public func float(_ name: String) throws(OperatorError) -> Float {
        switch values[name] {
        case let .float(value)?: return value
        case let .int(value)?: return Float(value)
        default: throw Self.missing(name, .float)
        }
    }

    public func floats(_ name: String) throws(OperatorError) -> [Float] {
        guard case let .floats(value)? = values[name] else { throw Self.missing(name, .floats) }
        return value
    }

    public func string(_ name: String) throws(OperatorError) -> String {
        guard case let .string(value)? = values[name] else { throw Self.missing(name, .string) }
        return value
    }

    /// A Boolean stored as int 0/1 (ONNX's convention).
    public func bool(_ name: String) throws(OperatorError) -> Bool {
        let value = try int(name)
        guard value == 0 || value == 1 else { throw OperatorError("attribute '\(name)' must be 0 or 1, got \(value)") }
        return value == 1
    }

    private static func missing(_ name: String, _ kind: AttributeKind) -> OperatorError {
        OperatorError("attribute '\(name)' (\(kind.rawValue)) is missing or of another kind")
    }
}
