import CShrinkKernels

/// A matrix operand of a GEMM: a row-major matrix in memory, optionally used transposed.
public struct MatrixOperand {
    /// Address of element (0, 0) of the stored matrix.
    public var base: UnsafePointer<Float>
    /// Distance in elements between consecutive rows of the stored matrix.
    public var rowStride: Int
    /// Whether the GEMM uses the transpose of the stored matrix.
    public var isTransposed: Bool

    public init(_ base: UnsafePointer<Float>, rowStride: Int, transposed: Bool = false) {
        self.base = base
        self.rowStride = rowStride
        self.isTransposed = transposed
    }
}

/// Single-precision matrix multiplication, the workhorse of Linear and Conv2D.
public enum GEMM {
    /// `C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C`, row-major, on the active CPU path.
    ///
    /// When `beta == 0`, C is written without being read (it may hold NaN or garbage).
    public static func multiply(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: MatrixOperand, b: MatrixOperand,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, cRowStride: Int
    ) {
        guard m > 0, n > 0 else { return }
        shrink_sgemm(a.isTransposed ? 1 : 0, b.isTransposed ? 1 : 0, m, n, k,
                     alpha, a.base, a.rowStride, b.base, b.rowStride, beta, c, cRowStride)
    }
}

/// Plain Swift twins of the C kernels: slow, obviously correct, and the yardstick in tests.
public enum ReferenceKernels {
    /// Reference GEMM with the same contract as `GEMM.multiply`, accumulating in Double.
    public static func multiply(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: MatrixOperand, b: MatrixOperand,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, cRowStride: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aValue = a.isTransposed ? a.base[p * a.rowStride + i] : a.base[i * a.rowStride + p]
                    let bValue = b.isTransposed ? b.base[j * b.rowStride + p] : b.base[p * b.rowStride + j]
                    sum += Double(aValue) * Double(bValue)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * cRowStride + j])
                c[i * cRowStride + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }
}
