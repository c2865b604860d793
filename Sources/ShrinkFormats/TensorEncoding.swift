/// How a tensor's values are stored in the file, named by the manifest's `encoding.tag`.
///
/// Each encoding documents (docs/FORMAT.md, "Encodings") its byte ranges by role, their layout,
/// and a byte-count formula the reader checks against the stored lengths. Later format versions
/// add cases (fp16, int8 with scales, bit-packed, palettized, sparse, Huffman); a reader that
/// meets a tag it does not know rejects the file naming the tensor and the tag.
public enum TensorEncoding: String, CaseIterable, Sendable {
    /// IEEE-754 binary32, little-endian, row-major; one range with role `values`.
    case denseFloat32 = "dense-f32"

    /// The tag stored in the manifest.
    public var tag: String { rawValue }

    /// The roles of the byte ranges this encoding needs, each exactly once.
    var rangeRoles: [String] {
        switch self {
        case .denseFloat32: ["values"]
        }
    }

    /// The byte count of the range with `role` for a tensor of `elementCount` elements.
    /// `elementCount ≤ ModelFileLimits.maximumElementCount`, so the result does not overflow.
    func byteCount(role: String, elementCount: Int) -> Int {
        switch self {
        case .denseFloat32: elementCount * MemoryLayout<UInt32>.size
        }
    }
}
