/// Plain Swift twins of the sub-byte integer kernels.
extension ReferenceKernels {
    /// Twin of `SubByteLinearWeights.accumulate`: Σ_p codes[i][p] · weights[j][p] in Int64 for
    /// unsigned weight codes. // [rows, outputCount]
    public static func subByteAccumulate(codes: [UInt8], rows: Int, weights: [UInt8],
                                         outputCount: Int, inputCount: Int) -> [Int32] {
        var sums = [Int32](repeating: 0, count: rows * outputCount)
        for i in 0..<rows {
            for j in 0..<outputCount {
                var sum: Int64 = 0
                for p in 0..<inputCount { sum += Int64(codes[i * inputCount + p]) * Int64(weights[j * inputCount + p]) }
                sums[i * outputCount + j] = Int32(sum)
            }
        }
        return sums
    }

    /// Twin of `SubByteLinearWeights.apply`: y[i][j] = Float(Σ_p (x − zx[i]) · (u − offsets[j]))
    /// · (sx[i] · scales[j]) + bias[j], then with `relu` `y >= 0 ? y : 0`, for unsigned weight
    /// codes u (`weights`). // [input.rows, outputCount]
    public static func subByteLinear(_ input: QuantizedActivations, weights: [UInt8], offsets: [Int32], scales: [Float],
                                     bias: [Float]?, relu: Bool = false, outputCount: Int, inputCount: Int) -> [Float] {
        var output = [Float](repeating: 0, count: input.rows * outputCount)
        for i in 0..<input.rows {
            let zero = Int64(input.zeroPoints[i])
            for j in 0..<outputCount {
                var centered: Int64 = 0
                for p in 0..<inputCount {
                    centered += (Int64(input.codes[i * inputCount + p]) - zero)
                        * (Int64(weights[j * inputCount + p]) - Int64(offsets[j]))
                }
                var value = Float(centered) * (input.scales[i] * scales[j])
                if let bias { value += bias[j] }
                output[i * outputCount + j] = relu && !(value >= 0) ? 0 : value
            }
        }
        return output
    }
}
