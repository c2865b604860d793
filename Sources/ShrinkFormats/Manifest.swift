import ShrinkEncodings
import ShrinkNN

/// The manifest section's JSON document (docs/FORMAT.md, "Manifest").
struct Manifest: Codable {
    var architecture: ModelArchitecture
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
