/// Plain Swift twin of the fp32 linear kernels.
extension ReferenceKernels {
    /// y[i][j] = Σ_p x[i][p] · W[j][p] + bias[j], accumulated in Double. // [rows, outputCount]
    public static func float32Linear(_ input: [Float], rows: Int, weights: [Float], bias: [Float]?,
                                     outputCount: Int, inputCount: Int) -> [Float] {
        var output = [Float](repeating: 0, count: rows * outputCount)
        for i in 0..<rows {
            for j in 0..<outputCount {
                var sum = Double(bias?[j] ?? 0)
                for p in 0..<inputCount { sum += Double(input[i * inputCount + p]) * Double(weights[j * inputCount + p]) }
                output[i * outputCount + j] = Float(sum)
            }
        }
        return output
    }
}
