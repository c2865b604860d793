/// The graph's JSON schema (docs/FORMAT.md, "Graph"): the same document in a model file's
/// manifest and in recipes that name a graph inline. Field names are fixed here, independent of
/// Swift type names:
///
/// ```json
/// {"name": "tiny", "inputs": [{"name": "input", "element_type": "float32", "shape": ["batch", 4]}],
///  "outputs": ["fc"],
///  "nodes": [{"name": "fc", "op": "Linear", "inputs": ["input"], "outputs": ["fc"],
///             "attributes": {"input_features": {"int": 4}, "output_features": {"int": 3}}}]}
/// ```
/// Decoding checks only the JSON's structure; `ResolvedGraph` validates the graph.
extension Graph: Codable {
    enum CodingKeys: String, CodingKey {
        case name, inputs, outputs, nodes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name),
                  inputs: try container.decode([ValueInfo].self, forKey: .inputs),
                  outputs: try container.decode([String].self, forKey: .outputs),
                  nodes: try container.decode([Node].self, forKey: .nodes))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(outputs, forKey: .outputs)
        try container.encode(nodes, forKey: .nodes)
    }
}

/// `{"name": "input", "element_type": "float32", "shape": ["batch", 1, 28, 28]}`.
extension ValueInfo: Codable {
    enum CodingKeys: String, CodingKey {
        case name
        case elementType = "element_type"
        case shape
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let typeName = try container.decode(String.self, forKey: .elementType)
        guard let type = ElementType(rawValue: typeName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .elementType, in: container,
                debugDescription: "unknown element type \"\(typeName)\" (known: \(ElementType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.init(name: try container.decode(String.self, forKey: .name), elementType: type,
                  shape: ValueShape(try container.decode([Dimension].self, forKey: .shape)))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(elementType.rawValue, forKey: .elementType)
        try container.encode(shape.dimensions, forKey: .shape)
    }
}

/// A JSON integer (fixed size) or string (a symbol such as `batch`).
extension Dimension: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let size = try? container.decode(Int.self) {
            self = .fixed(size)
        } else {
            self = .symbol(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .fixed(size): try container.encode(size)
        case let .symbol(name): try container.encode(name)
        }
    }
}

/// `{"name": "conv1", "op": "Conv2D", "inputs": ["input"], "outputs": ["conv1"],
/// "attributes": {"kernel_shape": {"ints": [5, 5]}, …}}` (`attributes` omitted when empty).
extension Node: Codable {
    enum CodingKeys: String, CodingKey {
        case name, op, inputs, outputs, attributes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name),
                  operatorType: try container.decode(String.self, forKey: .op),
                  inputs: try container.decode([String].self, forKey: .inputs),
                  outputs: try container.decode([String].self, forKey: .outputs),
                  attributes: Attributes(try container.decodeIfPresent([String: AttributeValue].self, forKey: .attributes) ?? [:]))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(operatorType, forKey: .op)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(outputs, forKey: .outputs)
        if !attributes.values.isEmpty { try container.encode(attributes.values, forKey: .attributes) }
    }
}

/// An object with exactly one key naming the kind: `{"int": 1}`, `{"ints": [1, 1]}`,
/// `{"float": 0.1}`, `{"floats": []}`, `{"string": "same"}`.
extension AttributeValue: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "an attribute is an object with exactly one of the keys int, ints, float, floats, string"))
        }
        switch AttributeKind(rawValue: key.stringValue) {
        case .int?: self = .int(try container.decode(Int.self, forKey: key))
        case .ints?: self = .ints(try container.decode([Int].self, forKey: key))
        case .float?: self = .float(try container.decode(Float.self, forKey: key))
        case .floats?: self = .floats(try container.decode([Float].self, forKey: key))
        case .string?: self = .string(try container.decode(String.self, forKey: key))
        case nil:
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [key],
                debugDescription: "unknown attribute kind \"\(key.stringValue)\" (known: int, ints, float, floats, string)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        let key = Key(stringValue: kind.rawValue)
        switch self {
        case let .int(value): try container.encode(value, forKey: key)
        case let .ints(values): try container.encode(values, forKey: key)
        case let .float(value): try container.encode(value, forKey: key)
        case let .floats(values): try container.encode(values, forKey: key)
        case let .string(value): try container.encode(value, forKey: key)
        }
    }
}
