import ShrinkEncodings

/// How a tensor is stored when it is not plain `dense-f32`: its element codes and side tables,
/// dense or relative-index sparse, and whether the sparse streams may be Huffman-coded
/// (docs/FORMAT.md, encoding `coded`).
public struct StoredEncoding: Equatable, Sendable {
    /// The codes, scales, zero points or centroids (lossless; `coded.values()` are the values).
    public var coded: CodedTensor
    /// Dense, or sparse with relative indices of `gapBits` bits and filler zeros.
    public var layout: StorageLayout
    /// Whether the writer Huffman-codes each sparse stream (gaps, element codes) when that is
    /// smaller than bit-packing it. Read back as `true` when any stream of the file is coded.
    public var huffmanCoding: Bool

    /// Describes a coded tensor's storage.
    public init(coded: CodedTensor, layout: StorageLayout = .dense, huffmanCoding: Bool = false) {
        self.coded = coded
        self.layout = layout
        self.huffmanCoding = huffmanCoding
    }
}
