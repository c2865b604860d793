import ShrinkGraph

/// The manifest's `graph` object (format 2.x; docs/FORMAT.md, "Graph"): the graph in its JSON
/// schema (`Graph+Codable.swift` in ShrinkGraph), validated after decoding by
/// `ModelFileValidation`.
struct GraphRecord: Codable, Equatable {
    var value: Graph

    init(_ graph: Graph) {
        value = graph
    }

    init(from decoder: any Decoder) throws {
        value = try Graph(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }

    /// The graph this record describes (not yet validated against the op registry).
    func graph() throws -> Graph { value }
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
