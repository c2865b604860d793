import CShrinkKernels

/// fp32 weights of a linear layer ([outputCount, inputCount], row-major as stored): the honest
/// baseline the compressed kernels are compared with. Small batches (up to `rowKernelLimit`
/// rows) run the bandwidth-bound row-dot kernel (`shrink_f32_linear_rows`: W read once, several
/// rows at a time); larger ones run the blocked GEMM.
public struct Float32LinearWeights: @unchecked Sendable {
    /// Output channels (n) and input features (k).
    public let outputCount: Int, inputCount: Int
    /// The weights, 64-byte aligned. // [outputCount, inputCount]
    let packed: PackedBuffer
    /// The weights as an array (a copy). // [outputCount, inputCount]
    public var weights: [Float] {
        Array(UnsafeBufferPointer(start: packed.pointer(as: Float.self), count: outputCount * inputCount))
    }
    /// Bias of each output channel, if any. // [outputCount]
    public let bias: [Float]?

    /// Batches of at most this many rows use the row-dot kernel; larger ones the blocked GEMM.
    public static let rowKernelLimit = 4

    /// Output channels per thread below which the row-dot kernel stays on one thread.
    static let minimumChannelsPerThread = 64

    /// Wraps `weights` ([outputCount, inputCount]) and `bias` ([outputCount]).
    public init(weights: [Float], bias: [Float]? = nil, outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("weights", weights, outputCount * inputCount)
        if let bias { try RuntimeKernelError.check("bias", bias, outputCount) }
        self.outputCount = outputCount
        self.inputCount = inputCount
        packed = PackedBuffer(copying: weights)
        self.bias = bias
    }

    /// y = x · Wᵀ + bias for `rows` rows of `input` ([rows, inputCount]) into `output`
    /// ([rows, outputCount]) on the active CPU path, on up to `threadCount` threads (the row-dot
    /// kernel splits output channels; results do not depend on the thread count).
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, threadCount: Int = 1) {
        guard rows > 0, outputCount > 0 else { return }
        let outputCount = self.outputCount, inputCount = self.inputCount
        do {
            let base = packed.pointer(as: Float.self)
            let run = { (biasPointer: UnsafePointer<Float>?) in
                if rows <= Self.rowKernelLimit {
                    Parallelism.forEachChunk(count: outputCount, minimumChunk: Self.minimumChannelsPerThread,
                                             threadCount: max(1, threadCount)) { channels in
                        let start = channels.lowerBound
                        shrink_f32_linear_rows(rows, channels.count, inputCount, input, max(inputCount, 1),
                                               base + start * inputCount, max(inputCount, 1),
                                               biasPointer.map { $0 + start }, output + start, outputCount)
                    }
                    return
                }
                // [rows, outputCount] = [rows, inputCount] · [outputCount, inputCount]ᵀ + bias
                if let biasPointer {
                    for row in 0..<rows { (output + row * outputCount).update(from: biasPointer, count: outputCount) }
                }
                GEMM.multiply(m: rows, n: outputCount, k: inputCount,
                              a: MatrixOperand(input, rowStride: max(inputCount, 1)),
                              b: MatrixOperand(base, rowStride: max(inputCount, 1), transposed: true),
                              beta: biasPointer == nil ? 0 : 1,
                              c: output, cRowStride: outputCount, threadCount: max(1, threadCount))
            }
            if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
        }
    }

    /// y = x · Wᵀ + bias as a new array. // [rows, outputCount]
    public func apply(_ input: [Float], rows: Int) throws(RuntimeKernelError) -> [Float] {
        try RuntimeKernelError.check("input", input, rows * inputCount)
        var output = [Float](repeating: 0, count: rows * outputCount)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!) }
        }
        return output
    }
}
