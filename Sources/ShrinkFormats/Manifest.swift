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

/// A tensor's encoding: the tag plus encoding-specific fields (none for `dense-f32`).
struct EncodingRecord: Codable {
    var tag: String
}

/// Bytes `offset ..< offset + length` of section `section` (an index into the section table),
/// playing `role` in the tensor's encoding.
struct ByteRangeRecord: Codable {
    var role: String
    var section: Int
    var offset: Int
    var length: Int
}
