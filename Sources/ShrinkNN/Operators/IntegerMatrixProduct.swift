import ShrinkTensor

/// The int32 product `(A − a_zero_point) · (B − b_zero_point)` of `MatMulInteger` and
/// `QLinearMatMul`: `A` an activation `[…, K]` (rank ≥ 2, every leading axis a row, so
/// `[batch, K]` and `[batch, M, K]`), `B` a weight `[K, N]`, both float-carried integers.
/// Products and sums are int32 with wrapping arithmetic, as the reference's NumPy int32 (exact
/// for 8-bit operands while `K < 33,025`); nothing is accumulated in Float.
struct IntegerMatrixProduct: Hashable, Sendable {
    /// `K`.
    var inputFeatures: Int
    /// `N`.
    var outputFeatures: Int
    /// `a_zero_point`.
    var inputZeroPoint: Int
    /// `b_zero_point`: none (0), one, or one per output column.
    var weightZeroPoints: [Int]

    /// Throws unless the sizes are positive, the weight zero points are 0, 1 or `N` values, and
    /// every zero point is an 8-bit value (`−128…255`).
    func validate() throws(OperatorError) {
        guard inputFeatures > 0, outputFeatures > 0 else {
            throw OperatorError("input_features and output_features must be positive, got \(inputFeatures) and \(outputFeatures)")
        }
        guard weightZeroPoints.count <= 1 || weightZeroPoints.count == outputFeatures else {
            throw OperatorError("\(weightZeroPoints.count) b_zero_point values for \(outputFeatures) columns (give none, one or \(outputFeatures))")
        }
        if let bad = ([inputZeroPoint] + weightZeroPoints).first(where: { !(-128...255).contains($0) }) {
            throw OperatorError("zero point \(bad) is not an 8-bit value (−128…255)")
        }
    }

    /// `[…, K]` → `[…, N]`.
    func outputShape(_ input: ValueShape) throws(OperatorError) -> ValueShape {
        guard input.rank >= 2, input[input.rank - 1] == .fixed(inputFeatures) else {
            throw OperatorError("expects [batch, …, \(inputFeatures)] (rank at least 2), got \(input)")
        }
        var output = input
        output[input.rank - 1] = .fixed(outputFeatures)
        return output
    }

    /// `B` as `[K, N]`.
    var weightShape: [Int] { [inputFeatures, outputFeatures] }

    /// Multiply-accumulates of one call.
    func multiplyAccumulates(outputShape: [Int]) -> Int { outputShape.reduce(1, *) * inputFeatures }

    /// The int32 sums, row-major `[rows, N]` (rows: the input's elements / `K`).
    func accumulators(input: Tensor, weight: Tensor) -> [Int32] {
        let k = inputFeatures, n = outputFeatures
        precondition(input.shape.last == k && weight.shape == [k, n],
                     "integer product of \(input.shape) and \(weight.shape), expected […, \(k)] and [\(k), \(n)]")
        let rows = input.count / k
        let inputZero = Int32(truncatingIfNeeded: inputZeroPoint)
        // B − b_zero_point, once per call.
        var shiftedWeight = [Int32](repeating: 0, count: k * n)
        weight.withUnsafeBufferPointer { values in
            for row in 0..<k {
                for column in 0..<n {
                    let zero = weightZeroPoints.isEmpty ? 0 : weightZeroPoints[weightZeroPoints.count == 1 ? 0 : column]
                    shiftedWeight[row * n + column] = IntegerCodes.int32(values[row * n + column]) &- Int32(truncatingIfNeeded: zero)
                }
            }
        }
        var sums = [Int32](repeating: 0, count: rows * n)
        input.withUnsafeBufferPointer { a in
            shiftedWeight.withUnsafeBufferPointer { b in
                sums.withUnsafeMutableBufferPointer { c in
                    for row in 0..<rows {
                        let target = c.baseAddress! + row * n
                        for inner in 0..<k {
                            let factor = IntegerCodes.int32(a[row * k + inner]) &- inputZero
                            if factor == 0 { continue }
                            let weightRow = b.baseAddress! + inner * n
                            for column in 0..<n { target[column] = target[column] &+ factor &* weightRow[column] }
                        }
                    }
                }
            }
        }
        return sums
    }
}
