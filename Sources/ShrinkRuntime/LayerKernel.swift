/// The kernel an `ExecutionPlan` chose for one layer (for reports and tests).
public indirect enum LayerKernel: Equatable, Sendable, CustomStringConvertible {
    /// s8 per-channel symmetric weights with dynamic per-row u8 activations (`Int8LinearWeights`).
    case int8
    /// IEEE half weights widened in registers (`Float16LinearWeights`).
    case float16
    /// Palette indices of `bits` bits into float centroids (`PaletteLinearWeights`).
    case palette(bits: Int)
    /// CSR weights keeping `density` of the entries, with palettized or fp32 values (`SparseLinearWeights`).
    case sparse(density: Double, palettized: Bool)
    /// fp32 GEMM on the decoded weights.
    case float32
    /// A convolution lowered with im2col onto the matrix kernel of its weight encoding
    /// (`.int8`, `.float16`, `.palette`, `.sparse`).
    case convolution(LayerKernel)
    /// The ShrinkNN layer's own inference forward pass (conv, pooling, batch norm, ...), by type name.
    case reference(String)
    /// Element-wise max(0, x) on the plan's buffers.
    case relu
    /// A reshape (flatten, dropout in inference): the next layer reads the same buffer, nothing is copied.
    case identity

    /// A short label, e.g. `palette(4)` or `sparse(8.0 %, palette)`.
    public var description: String {
        switch self {
        case .int8: "int8"
        case .float16: "float16"
        case let .palette(bits): "palette(\(bits))"
        case let .sparse(density, palettized):
            "sparse(\((density * 1000).rounded() / 10) %, \(palettized ? "palette" : "fp32"))"
        case .float32: "float32"
        case let .convolution(matrix): "conv(\(matrix))"
        case let .reference(typeName): "reference(\(typeName))"
        case .relu: "relu"
        case .identity: "identity"
        }
    }
}

/// One layer of a plan: its name, its kernel and its per-sample output shape.
public struct PlannedLayer: Equatable, Sendable {
    /// The layer's name in the architecture (`fc1`).
    public let name: String
    /// The kernel that runs it.
    public let kernel: LayerKernel
    /// The per-sample output shape (without the batch dimension).
    public let outputShape: [Int]
}
