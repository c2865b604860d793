import CShrinkKernels

/// fp16 weights of a linear layer, pre-packed for the fp16 kernels: IEEE half values converted
/// to fp32 in registers (F16C) and accumulated in fp32. Reads half the bytes of fp32 weights.
public struct Float16LinearWeights: FloatLinearWeights, @unchecked Sendable {
    /// Output channels (n) and input features (k).
    public let outputCount: Int, inputCount: Int
    /// Bias of each output channel, if any. // [outputCount]
    public let bias: [Float]?
    let packed: PackedBuffer

    /// Packs IEEE half bit patterns `halfBits` ([outputCount, inputCount], row-major), e.g. the
    /// fp16 encoding of a compressed model.
    public init(halfBits: [UInt16], bias: [Float]? = nil, outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("halfBits", halfBits, outputCount * inputCount)
        if let bias { try RuntimeKernelError.check("bias", bias, outputCount) }
        self.outputCount = outputCount
        self.inputCount = inputCount
        self.bias = bias
        let packed = PackedBuffer(byteCount: shrink_f16_packed_count(outputCount, inputCount) * 2)
        if outputCount > 0, inputCount > 0 {
            halfBits.withUnsafeBufferPointer { w in
                shrink_f16_pack_weights(outputCount, inputCount, w.baseAddress, inputCount,
                                        packed.base.assumingMemoryBound(to: UInt16.self))
            }
        }
        self.packed = packed
    }

    /// Rounds fp32 `weights` ([outputCount, inputCount]) to half precision (nearest even) and packs them.
    public init(rounding weights: [Float], bias: [Float]? = nil, outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try self.init(halfBits: weights.map { Float16($0).bitPattern }, bias: bias,
                      outputCount: outputCount, inputCount: inputCount)
    }

    /// y = x · Wᵀ + bias for `rows` rows of `input` ([rows, inputCount]) into `output`
    /// ([rows, outputCount]) on the active CPU path, on up to `threadCount` threads (each computes
    /// whole 64-channel panels; results do not depend on the thread count).
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, threadCount: Int = 1) {
        guard rows > 0, outputCount > 0 else { return }
        let weights = packed.base.assumingMemoryBound(to: UInt16.self)
        let run = { (biasPointer: UnsafePointer<Float>?) in
            PanelSplit.forEachColumnRange(outputCount: outputCount, panelColumns: Int(SHRINK_F16_PANEL_COLUMNS),
                                         threadCount: threadCount) { columns in
                let start = columns.lowerBound
                shrink_f16_linear(rows, columns.count, inputCount, input, max(inputCount, 1), weights + start * inputCount,
                                  biasPointer.map { $0 + start }, output + start, outputCount)
            }
        }
        if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
    }
}
