/// Plain Swift twin of the CSR sparse kernel.
extension ReferenceKernels {
    /// y[i][j] = Σ_{e in row j} value(e) · x[i][column(e)] + bias[j], accumulated in Double.
    public static func sparseLinear(_ input: [Float], rows: Int, weights: SparseLinearWeights) -> [Float] {
        let (outputs, inputs) = (weights.outputCount, weights.inputCount)
        var output = [Float](repeating: 0, count: rows * outputs)
        for i in 0..<rows {
            for j in 0..<outputs {
                var sum = Double(weights.bias?[j] ?? 0)
                for entry in Int(weights.rowPointers[j])..<Int(weights.rowPointers[j + 1]) {
                    let value: Float
                    switch weights.values {
                    case let .float(values): value = values[entry]
                    case let .palettized(codes, centroids): value = centroids[Int(codes[entry])]
                    }
                    sum += Double(value) * Double(input[i * inputs + weights.columns[entry]])
                }
                output[i * outputs + j] = Float(sum)
            }
        }
        return output
    }
}
