/// Plain Swift twin of the fp16-weight kernel.
extension ReferenceKernels {
    /// y[i][j] = Σ_p x[i][p] · Float(half W[j][p]) + bias[j], accumulated in Double.
    public static func float16Linear(_ input: [Float], rows: Int, halfBits: [UInt16], bias: [Float]?,
                                     outputCount: Int, inputCount: Int) -> [Float] {
        var output = [Float](repeating: 0, count: rows * outputCount)
        for i in 0..<rows {
            for j in 0..<outputCount {
                var sum = Double(bias?[j] ?? 0)
                for p in 0..<inputCount {
                    sum += Double(input[i * inputCount + p]) * Double(Float(Float16(bitPattern: halfBits[j * inputCount + p])))
                }
                output[i * outputCount + j] = Float(sum)
            }
        }
        return output
    }
}
