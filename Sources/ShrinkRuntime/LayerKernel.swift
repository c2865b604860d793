import ShrinkNN

/// The kernel an `ExecutionPlan` chose for one graph node (for reports and tests).
public indirect enum LayerKernel: Equatable, Sendable, CustomStringConvertible {
    /// s8 per-channel symmetric weights with u8 activations (`Int8LinearWeights`): quantized per
    /// row at run time (`static: false`), or with the calibrated parameters of the node's input
    /// value (`static: true`, no range scan).
    case int8(static: Bool)
    /// Affine weight codes of `bits` bits (1...4) packed two (3-4 bits) or four (1-2 bits) per
    /// byte, multiplied with u8 activations quantized per row at run time
    /// (`SubByteLinearWeights`). Codes of 5-7 bits run on the int8 kernel (`.int8`).
    case integer(bits: Int)
    /// IEEE half weights widened in registers (`Float16LinearWeights`).
    case float16
    /// Palette indices of `bits` bits into float centroids (`PaletteLinearWeights` up to 8 bits,
    /// `WidePaletteLinearWeights` for 9-16).
    case palette(bits: Int)
    /// CSR weights keeping `density` of the entries, with palettized or fp32 values (`SparseLinearWeights`).
    case sparse(density: Double, palettized: Bool)
    /// fp32 GEMV / GEMM on the decoded weights (`Float32LinearWeights`).
    case float32
    /// A convolution lowered with im2col onto the matrix kernel of its weight encoding.
    case convolution(LayerKernel)
    /// Forms of one weight chosen per batch size by timing them when the plan loaded
    /// (`KernelSelection.measured`): the stored encoding's kernel `stored`, and the kernel each
    /// batch range runs (the encoding's own, or the exact fp32 form where that was faster).
    case chosen(stored: LayerKernel, byBatch: [BatchKernel])
    /// The op's own inference kernel (`Operator.makeKernel(...).forward(_:mode: .inference)`), by op type name.
    case reference(String)
    /// The runtime's own inference step for op type `String` on the arena, no tensor copies
    /// (`ExecutionPlan+Native.swift`: depthwise Conv2D, MaxPool2D, GlobalAveragePool, same-shape Add).
    case native(String)
    /// Element-wise max(0, x) on the plan's arena (a ReLU that could not be fused).
    case relu
    /// A reshape (Flatten, Reshape, Identity, inference Dropout): the output aliases the input, nothing runs.
    case identity
    /// A BatchNorm folded into the weights (or int8 scales) and bias of node `into`: no work at run time.
    case folded(into: String)
    /// A BatchNorm or ReLU applied by node `into`'s step on its output while it is in cache
    /// (per-channel scale + shift, then max(0, x)).
    case fused(into: String)

    /// A short label, e.g. `palette(4)`, `int8(static)`, `int4`, `sparse(8.0 %, palette)` or
    /// `sparse(25.0 %, fp32) → float32 at b1–2`.
    public var description: String {
        switch self {
        case let .int8(isStatic): isStatic ? "int8(static)" : "int8"
        case let .integer(bits): "int\(bits)"
        case .float16: "float16"
        case let .palette(bits): "palette(\(bits))"
        case let .sparse(density, palettized):
            "sparse(\((density * 1000).rounded() / 10) %, \(palettized ? "palette" : "fp32"))"
        case .float32: "float32"
        case let .convolution(matrix): "conv(\(matrix))"
        case let .chosen(stored, byBatch):
            // sparse(25.0 %, fp32) → float32 at b1–2
            ([stored.description] + byBatch.filter { $0.kernel != stored }.map { "→ \($0.kernel) at \($0.rangeLabel)" })
                .joined(separator: " ")
        case let .reference(typeName): "reference(\(typeName))"
        case let .native(typeName): "native(\(typeName))"
        case .relu: "relu"
        case .identity: "identity"
        case let .folded(node): "folded(into \(node))"
        case let .fused(node): "fused(into \(node))"
        }
    }

    /// Whether the node runs no step of its own (aliased, folded or fused into another node).
    public var isMerged: Bool {
        switch self {
        case .identity, .folded, .fused: true
        default: false
        }
    }
}

/// One graph node of a plan, in execution (topological) order: its name, op, kernel, shapes and
/// the arithmetic of one sample.
public struct PlannedLayer: Equatable, Sendable {
    /// The node's name in the graph (`fc1`).
    public let name: String
    /// The op's type name (`Linear`).
    public let operatorType: String
    /// The kernel that runs it.
    public let kernel: LayerKernel
    /// The per-sample shape of its first output (without the batch dimension).
    public let outputShape: [Int]
    /// Elements per sample the node reads (all inputs) and writes (all outputs).
    public let inputElements: Int, outputElements: Int
    /// `Operator.operationCount` for one sample (batch 1), in fp32-equivalent units.
    public let operationCount: OperationCount
}

/// Where a graph value lives while the plan runs.
public enum ValueStorage: Equatable, Sendable {
    /// In the caller's buffer for graph input `name` (read only).
    case graphInput(String)
    /// In the arena at `offset` floats per sample (the batch-`b` offset is `b · offset`),
    /// `elements` floats per sample long.
    case arena(offset: Int, elements: Int)
}
