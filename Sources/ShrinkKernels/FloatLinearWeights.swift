/// Packed weights of a linear layer whose kernel reads and writes fp32 rows directly (no
/// activation quantization): fp32, fp16, palettes of 1-16 bits, CSR sparse.
public protocol FloatLinearWeights {
    /// Output channels (n) and input features (k).
    var outputCount: Int { get }
    var inputCount: Int { get }
    /// y = x · Wᵀ + bias for `rows` rows of `input` ([rows, inputCount]) into `output`
    /// ([rows, outputCount]) on up to `threadCount` threads.
    func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, threadCount: Int)
}

extension FloatLinearWeights {
    /// y = x · Wᵀ + bias as a new array, on one thread. // [rows, outputCount]
    public func apply(_ input: [Float], rows: Int) throws(RuntimeKernelError) -> [Float] {
        try RuntimeKernelError.check("input", input, rows * inputCount)
        var output = [Float](repeating: 0, count: rows * outputCount)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!, threadCount: 1)
            }
        }
        return output
    }
}
