import ShrinkNN

extension ExecutionPlan {
    /// Bytes of weights each layer's kernel reads per inference, in layer order: the packed
    /// sizes of Linear and compressed-convolution kernels (`packedByteCount`), 4 bytes per fp32
    /// weight and bias for reference layers, 0 for parameter-free steps.
    public var layerWeightBytes: [Int] { steps.map(\.weightByteCount) }

    /// Bytes of the activation buffers the plan holds now (one per layer, sized for the largest
    /// batch size run so far; 0 before the first run).
    public var activationBufferBytes: Int { allocatedActivationBytes }

    /// Weight bytes plus activation-buffer bytes: what the plan itself keeps allocated.
    public var runtimeBytes: Int { layerWeightBytes.reduce(0, +) + activationBufferBytes }
}

extension ExecutionPlan.Step {
    /// Bytes of weights this step reads per inference.
    var weightByteCount: Int {
        switch self {
        case let .linear(weights, _, _, _), let .convolution(weights, _, _):
            switch weights {
            case let .int8(packed): packed.packedByteCount
            case let .float16(packed): packed.packedByteCount
            case let .palette(packed): packed.packedByteCount
            case let .sparse(packed): packed.packedByteCount
            case let .float32(packed): packed.packedByteCount
            }
        case .relu, .identity: 0
        case let .reference(_, _, weightBytes): weightBytes
        }
    }
}
