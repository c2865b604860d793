/// How a tensor's values are stored in the file, named by the manifest's `encoding.tag`.
///
/// Each encoding documents (docs/FORMAT.md, "Encodings") its byte ranges by role, their layout,
/// and the byte counts the reader checks against the stored lengths. A reader that meets a tag
/// it does not know rejects the file naming the tensor and the tag.
public enum TensorEncoding: String, CaseIterable, Sendable {
    /// IEEE-754 binary32, little-endian, row-major; one range with role `values` (format 1.0).
    case denseFloat32 = "dense-f32"
    /// A `ShrinkEncodings` payload described by an `EncodingDescriptor` (fp32/fp16 bits, affine
    /// N-bit codes, palette indices; dense or relative-index sparse; optionally Huffman-coded
    /// sparse streams). Format 1.1.
    case coded = "coded"

    /// The tag stored in the manifest.
    public var tag: String { rawValue }
}

/// Range roles of the `coded` encoding (docs/FORMAT.md).
enum CodedRole {
    /// The whole `TensorCodec` payload (no Huffman-coded stream).
    static let payload = "payload"
    /// Huffman form: the side table (scales and zero points, or centroids).
    static let sideTable = "side-table"
    /// Huffman form: the gaps, bit-packed.
    static let gaps = "gaps"
    /// Huffman form: the gap code's serialized lengths.
    static let gapLengths = "gap-lengths"
    /// Huffman form: the Huffman-coded gap stream.
    static let gapCodes = "gap-codes"
    /// Huffman form: the entry codes, bit-packed.
    static let values = "values"
    /// Huffman form: the entry-code Huffman code's serialized lengths.
    static let valueLengths = "value-lengths"
    /// Huffman form: the Huffman-coded entry-code stream.
    static let valueCodes = "value-codes"
}

/// What the reader requires of a byte range's length.
enum RangeLength {
    /// Exactly this many bytes (the encoding's formula).
    case exactly(Int)
    /// At most this many bytes; the exact length is checked when the stream is decoded.
    case atMost(Int)
}
