import ShrinkGraph

/// The manifest's `graph` object (format 2.x; docs/FORMAT.md, "Graph"): the model's graph in an
/// explicit schema whose field names are fixed here, independent of Swift type names.
struct GraphRecord: Codable, Equatable {
    var name: String
    var inputs: [ValueInfoRecord]
    var outputs: [String]
    var nodes: [NodeRecord]

    init(_ graph: Graph) {
        name = graph.name
        inputs = graph.inputs.map(ValueInfoRecord.init)
        outputs = graph.outputs
        nodes = graph.nodes.map(NodeRecord.init)
    }

    /// The graph this record describes (not yet validated against the op registry).
    func graph() throws -> Graph {
        Graph(name: name, inputs: try inputs.map { try $0.valueInfo() }, outputs: outputs, nodes: nodes.map { $0.node() })
    }
}

/// A graph input: `{"name": "input", "element_type": "float32", "shape": ["batch", 1, 28, 28]}`.
struct ValueInfoRecord: Codable, Equatable {
    var name: String
    var elementType: String
    var shape: [DimensionRecord]

    init(_ info: ValueInfo) {
        name = info.name
        elementType = info.elementType.rawValue
        shape = info.shape.dimensions.map(DimensionRecord.init)
    }

    func valueInfo() throws -> ValueInfo {
        guard let type = ElementType(rawValue: elementType) else {
            throw ModelFileError.invalidGraph(
                "input \"\(name)\" has unknown element type \"\(elementType)\" (known: \(ElementType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return ValueInfo(name: name, elementType: type, shape: ValueShape(shape.map(\.dimension)))
    }

    enum CodingKeys: String, CodingKey {
        case name
        case elementType = "element_type"
        case shape
    }
}

/// One dimension: a JSON integer (fixed size) or string (a symbol such as `batch`).
struct DimensionRecord: Codable, Equatable {
    var dimension: Dimension

    init(_ dimension: Dimension) {
        self.dimension = dimension
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let size = try? container.decode(Int.self) {
            dimension = .fixed(size)
        } else {
            dimension = .symbol(try container.decode(String.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch dimension {
        case let .fixed(size): try container.encode(size)
        case let .symbol(name): try container.encode(name)
        }
    }
}

/// A node: `{"name": "conv1", "op": "Conv2D", "inputs": ["input"], "outputs": ["conv1"],
/// "attributes": {"kernel_shape": {"ints": [5, 5]}, …}}`.
struct NodeRecord: Codable, Equatable {
    var name: String
    var op: String
    var inputs: [String]
    var outputs: [String]
    var attributes: [String: AttributeRecord]

    init(_ node: Node) {
        name = node.name
        op = node.operatorType
        inputs = node.inputs
        outputs = node.outputs
        attributes = node.attributes.values.mapValues(AttributeRecord.init)
    }

    func node() -> Node {
        Node(name: name, operatorType: op, inputs: inputs, outputs: outputs,
             attributes: Attributes(attributes.mapValues(\.value)))
    }

    enum CodingKeys: String, CodingKey {
        case name, op, inputs, outputs, attributes
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        op = try container.decode(String.self, forKey: .op)
        inputs = try container.decode([String].self, forKey: .inputs)
        outputs = try container.decode([String].self, forKey: .outputs)
        attributes = try container.decodeIfPresent([String: AttributeRecord].self, forKey: .attributes) ?? [:]
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(op, forKey: .op)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(outputs, forKey: .outputs)
        if !attributes.isEmpty { try container.encode(attributes, forKey: .attributes) }
    }
}

/// A typed attribute value, an object with exactly one key naming its kind:
/// `{"int": 1}`, `{"ints": [1, 1]}`, `{"float": 0.1}`, `{"floats": []}`, `{"string": "same"}`.
struct AttributeRecord: Codable, Equatable {
    var value: AttributeValue

    init(_ value: AttributeValue) {
        self.value = value
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "an attribute is an object with exactly one of the keys int, ints, float, floats, string"))
        }
        switch AttributeKind(rawValue: key.stringValue) {
        case .int?: value = .int(try container.decode(Int.self, forKey: key))
        case .ints?: value = .ints(try container.decode([Int].self, forKey: key))
        case .float?: value = .float(try container.decode(Float.self, forKey: key))
        case .floats?: value = .floats(try container.decode([Float].self, forKey: key))
        case .string?: value = .string(try container.decode(String.self, forKey: key))
        case nil:
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [key],
                debugDescription: "unknown attribute kind \"\(key.stringValue)\" (known: int, ints, float, floats, string)"))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        let key = Key(stringValue: value.kind.rawValue)
        switch value {
        case let .int(value): try container.encode(value, forKey: key)
        case let .ints(values): try container.encode(values, forKey: key)
        case let .float(value): try container.encode(value, forKey: key)
        case let .floats(values): try container.encode(values, forKey: key)
        case let .string(value): try container.encode(value, forKey: key)
        }
    }
}

/// One row of the manifest's `activation_quantization` list:
/// `{"value": "fc1_input", "scale": 0.0123, "zero_point": 0, "bits": 8, "signed": false}`.
struct ActivationQuantizationRecord: Codable, Equatable {
    var value: String
    var parameters: ActivationQuantization

    enum CodingKeys: String, CodingKey {
        case value
    }

    init(value: String, parameters: ActivationQuantization) {
        self.value = value
        self.parameters = parameters
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        value = try container.decode(String.self, forKey: .value)
        parameters = try ActivationQuantization(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try parameters.encode(to: encoder)
    }
}
