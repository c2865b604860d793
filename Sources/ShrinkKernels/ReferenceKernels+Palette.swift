/// Plain Swift twin of the palettized look-up kernels (`PaletteLinearWeights` with byte indices,
/// `WidePaletteLinearWeights` with 16-bit ones).
extension ReferenceKernels {
    /// y[i][j] = Σ_p x[i][p] · centroids[indices[j][p]] + bias[j], accumulated in Double.
    public static func paletteLinear<Index: BinaryInteger>(
        _ input: [Float], rows: Int, indices: [Index], centroids: [Float], bias: [Float]?, outputCount: Int, inputCount: Int
    ) -> [Float] {
        var output = [Float](repeating: 0, count: rows * outputCount)
        for i in 0..<rows {
            for j in 0..<outputCount {
                var sum = Double(bias?[j] ?? 0)
                for p in 0..<inputCount {
                    sum += Double(input[i * inputCount + p]) * Double(centroids[Int(indices[j * inputCount + p])])
                }
                output[i * outputCount + j] = Float(sum)
            }
        }
        return output
    }
}
