import ShrinkEncodings
import ShrinkGraph

/// The manifest section's JSON document, format 2.x (docs/FORMAT.md, "Manifest").
struct Manifest: Codable {
    var graph: GraphRecord
    /// Static quantization parameters of activations, by value; omitted when empty.
    var activationQuantization: [ActivationQuantizationRecord]
    var metadata: ModelMetadata
    var tensors: [TensorRecord]

    init(graph: GraphRecord, activationQuantization: [ActivationQuantizationRecord], metadata: ModelMetadata, tensors: [TensorRecord]) {
        self.graph = graph
        self.activationQuantization = activationQuantization
        self.metadata = metadata
        self.tensors = tensors
    }

    enum CodingKeys: String, CodingKey {
        case graph
        case activationQuantization = "activation_quantization"
        case metadata, tensors
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        graph = try container.decode(GraphRecord.self, forKey: .graph)
        activationQuantization = try container.decodeIfPresent([ActivationQuantizationRecord].self, forKey: .activationQuantization) ?? []
        metadata = try container.decode(ModelMetadata.self, forKey: .metadata)
        tensors = try container.decode([TensorRecord].self, forKey: .tensors)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(graph, forKey: .graph)
        if !activationQuantization.isEmpty { try container.encode(activationQuantization, forKey: .activationQuantization) }
        try container.encode(metadata, forKey: .metadata)
        try container.encode(tensors, forKey: .tensors)
    }
}

/// The manifest of format 1.x files: a chain `architecture` instead of a graph.
struct FormatOneManifest: Codable {
    var architecture: FormatOneArchitecture
    var metadata: ModelMetadata
    var tensors: [TensorRecord]
}

/// One row of the tensor table.
struct TensorRecord: Codable {
    var name: String
    var kind: Parameter.Kind
    /// Dimensions, outermost first; `[]` is a scalar.
    var shape: [Int]
    var encoding: EncodingRecord
    var ranges: [ByteRangeRecord]
}

/// A tensor's encoding: the tag plus encoding-specific fields (none for `dense-f32`; for
/// `coded`: the descriptor and, for Huffman-coded sparse streams, which streams are coded).
struct EncodingRecord: Codable {
    var tag: String
    /// `coded` only: element count, element format, layout, sparse entry count.
    var descriptor: EncodingDescriptor?
    /// `coded` only: the gap stream is Huffman-coded (`gap-lengths` + `gap-codes` ranges).
    var huffmanGaps: Bool?
    /// `coded` only: the element-code stream is Huffman-coded (`value-lengths` + `value-codes`).
    var huffmanValues: Bool?

    init(tag: String, descriptor: EncodingDescriptor? = nil, huffmanGaps: Bool? = nil, huffmanValues: Bool? = nil) {
        self.tag = tag
        self.descriptor = descriptor
        self.huffmanGaps = huffmanGaps
        self.huffmanValues = huffmanValues
    }
}

/// Bytes `offset ..< offset + length` of section `section` (an index into the section table),
/// playing `role` in the tensor's encoding.
struct ByteRangeRecord: Codable {
    var role: String
    var section: Int
    var offset: Int
    var length: Int
}
