/// Hard caps a reader enforces before allocating or trusting anything (docs/FORMAT.md, "Limits").
///
/// The writer enforces the same caps, so every file it writes can be read back.
public enum ModelFileLimits {
    /// Largest manifest (JSON header) in bytes: 16 MiB.
    public static let maximumManifestLength = 16 << 20
    /// Largest number of entries in the section table.
    public static let maximumSectionCount = 64
    /// Largest number of tensors in one file.
    public static let maximumTensorCount = 65_536
    /// Largest number of nodes in a graph (layers of a format 1.x architecture).
    public static let maximumNodeCount = 4_096
    /// Most inputs, or outputs, of one node, and most graph inputs or outputs.
    public static let maximumNodeArity = 1_024
    /// Most attributes of one node.
    public static let maximumAttributeCount = 64
    /// Longest list attribute (`ints`, `floats`).
    public static let maximumAttributeListLength = 4_096
    /// Largest tensor rank.
    public static let maximumRank = 8
    /// Largest product of a shape's non-zero dimensions (2³² elements; 16 GiB as fp32).
    public static let maximumElementCount = 1 << 32
    /// Largest sum of the element counts of all `coded` tensors of a file (2³²). Sparse storage
    /// makes trailing zeros free, so this bounds what a small file can make the reader allocate.
    public static let maximumCodedElementTotal = 1 << 32
    /// Largest magnitude of an integer attribute or fixed input dimension (features, channels,
    /// kernel size, stride, padding).
    public static let maximumHyperParameter = 1 << 24
    /// Longest tensor, layer or architecture name, in UTF-8 bytes.
    public static let maximumNameLength = 256
    /// Longest short metadata string (producer, timestamp, dataset, optimizer), in UTF-8 bytes.
    public static let maximumShortTextLength = 1_024
    /// Most steps a `compression` metadata summary may list.
    public static let maximumCompressionSteps = 256
    /// Longest `notes` metadata string, in UTF-8 bytes.
    public static let maximumNotesLength = 65_536
    /// Largest section alignment (64 KiB, the largest common page size).
    public static let maximumAlignment = 65_536
    /// Deepest nesting of JSON arrays and objects in the manifest.
    public static let maximumJSONDepth = 32
    /// Longest JSON number literal in the manifest, in bytes.
    public static let maximumJSONNumberLength = 40
    /// Largest file `read(from:)` accepts: 64 GiB.
    public static let maximumFileLength = 64 << 30
}
