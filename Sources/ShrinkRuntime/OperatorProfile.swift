/// Time spent per operator kind over one or more profiled runs of an `ExecutionPlan`: the
/// per-operator breakdown of `shrink bench`.
///
/// Operator kinds are stable strings: `linear-float32`, `linear-float16`, `linear-int8`,
/// `linear-int8-static`, `linear-palette`, `linear-sparse`, `conv-<matrix kernel>` (e.g.
/// `conv-int8`), `relu`, `identity`, `reference-<op type>` (the op's own inference kernel, e.g.
/// `reference-Conv2D`), plus sub-steps that kernels report on their own,
/// such as `quantize` (activations to integers) and `dequantize` (integer sums back to floats).
/// A sub-step's time is not also counted in its layer's kind (a profiled int8 layer reports
/// `quantize`, `linear-int8` for the integer products alone, and `dequantize`). Nodes folded or
/// fused into another node's step (`LayerKernel.folded`, `.fused`) have no entry: their time is
/// in that step's kind.
public struct OperatorProfile: Equatable, Sendable {
    /// The kind of activation quantization (fp32 to u8 codes, dynamic or static) in int8 layers.
    public static let quantizeKind = "quantize"
    /// The kind of int32 sums back to fp32 (zero-point compensation, scales, bias) in int8 layers.
    public static let dequantizeKind = "dequantize"

    /// One entry per operator kind, in order of first appearance.
    public private(set) var entries: [OperatorTiming] = []

    /// An empty profile.
    public init() {}

    /// Adds `seconds` and one call to `kind`.
    public mutating func add(kind: String, seconds: Double, calls: Int = 1) {
        if let index = entries.firstIndex(where: { $0.kind == kind }) {
            entries[index].seconds += seconds
            entries[index].calls += calls
        } else {
            entries.append(OperatorTiming(kind: kind, calls: calls, seconds: seconds))
        }
    }

    /// The sum of all entries' seconds.
    public var totalSeconds: Double { entries.map(\.seconds).reduce(0, +) }

    /// Each kind's share of `totalSeconds`, in `0...1` (all zero when nothing was timed).
    public func shares() -> [(kind: String, share: Double)] {
        let total = totalSeconds
        return entries.map { ($0.kind, total > 0 ? $0.seconds / total : 0) }
    }
}

/// The accumulated time of one operator kind.
public struct OperatorTiming: Equatable, Sendable {
    /// The operator kind, e.g. `linear-int8` or `quantize`.
    public var kind: String
    /// How many times it ran.
    public var calls: Int
    /// Wall-clock seconds it took in total.
    public var seconds: Double
}

extension LayerKernel {
    /// The operator kind this kernel's time is reported under in an `OperatorProfile`.
    public var operatorKind: String {
        switch self {
        case let .int8(isStatic): isStatic ? "linear-int8-static" : "linear-int8"
        case let .integer(bits): "linear-int\(bits)"
        case .float16: "linear-float16"
        case .palette: "linear-palette"
        case .sparse: "linear-sparse"
        case .float32: "linear-float32"
        case let .convolution(matrix):
            // conv-int8, conv-int4, conv-float16, conv-palette, conv-sparse, conv-float32
            "conv-" + String(matrix.operatorKind.dropFirst(matrix.operatorKind.hasPrefix("linear-") ? 7 : 0))
        case let .reference(typeName): "reference-\(typeName)"
        case let .native(typeName): "native-\(typeName)"
        case .relu: "relu"
        case .identity: "identity"
        case .folded, .fused: "fused"
        case let .chosen(stored, byBatch): (byBatch.first?.kernel ?? stored).operatorKind
        }
    }
}
