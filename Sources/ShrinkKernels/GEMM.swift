import CShrinkKernels

/// A matrix operand of a GEMM: a row-major matrix in memory, optionally used transposed.
public struct MatrixOperand {
    /// Address of element (0, 0) of the stored matrix.
    public var base: UnsafePointer<Float>
    /// Distance in elements between consecutive rows of the stored matrix.
    public var rowStride: Int
    /// Whether the GEMM uses the transpose of the stored matrix.
    public var isTransposed: Bool

    /// An operand over the row-major matrix at `base` with `rowStride` elements between rows,
    /// used as stored or, when `transposed`, as its transpose.
    public init(_ base: UnsafePointer<Float>, rowStride: Int, transposed: Bool = false) {
        self.base = base
        self.rowStride = rowStride
        self.isTransposed = transposed
    }

    /// The operand restricted to rows `start...` of op(X) (the matrix as the GEMM uses it).
    func droppingOperatedRows(_ start: Int) -> MatrixOperand {
        // op(X) row i is stored row i, or stored column i when transposed.
        let offset = isTransposed ? start : start * rowStride
        return MatrixOperand(base + offset, rowStride: rowStride, transposed: isTransposed)
    }

    /// The operand restricted to columns `start...` of op(X).
    func droppingOperatedColumns(_ start: Int) -> MatrixOperand {
        // op(X) column j is stored column j, or stored row j when transposed.
        let offset = isTransposed ? start * rowStride : start
        return MatrixOperand(base + offset, rowStride: rowStride, transposed: isTransposed)
    }
}

/// Single-precision matrix multiplication, the workhorse of Linear and Conv2D.
///
/// The C kernel (`shrink_sgemm`) is a cache-blocked, packed GEMM with AVX-512, AVX2+FMA and
/// portable micro-kernels chosen at run time (`CPUPath.active`). This layer adds threading:
/// products of at least `parallelThreshold` floating-point operations are split into column
/// (or row) blocks of C, one per thread, each computed by the single-threaded C kernel.
public enum GEMM {
    /// Products with fewer floating-point operations (2·m·n·k) than this run on one thread.
    ///
    /// Chosen on the 2-core Zen 4 VM when threads came from Dispatch, which handed a chunk to a
    /// second thread only 60–80 µs after `concurrentPerform` started: two threads took about
    /// 70 µs + T/2 for a product that takes T alone, and 20 MFLOP (about 210 µs on one core) was
    /// where the split saved about 20 % (30 MFLOP: 400 → 315 µs; 120 MFLOP: 1.4 → 0.8 ms).
    /// `Parallelism` now uses a persistent worker pool (a chunk reaches a spinning worker in
    /// under 0.5 µs, a blocked one in 18–25 µs), so smaller products would gain too; the
    /// threshold has not been re-measured since.
    public static let parallelThreshold: Double = 20_000_000

    /// Column blocks handed to threads are multiples of this many columns (the widest micro-tile).
    static let columnGranularity = 32
    /// Row blocks handed to threads are multiples of this many rows (a multiple of every path's
    /// micro-tile height: 12 for AVX-512, 6 for AVX2 and portable).
    static let rowGranularity = 24

    /// `C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C`, row-major, on the active CPU path,
    /// using up to `Parallelism.threadCount` threads for large products.
    ///
    /// When `beta == 0`, C is written without being read (it may hold NaN or garbage). As in
    /// BLAS, when `k == 0` or `alpha == 0` the product is not evaluated and C becomes `beta · C`.
    public static func multiply(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: MatrixOperand, b: MatrixOperand,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, cRowStride: Int
    ) {
        multiply(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta,
                 c: c, cRowStride: cRowStride, threadCount: Parallelism.threadCount)
    }

    /// The same product using at most `threadCount` threads (1 runs on the calling thread).
    public static func multiply(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: MatrixOperand, b: MatrixOperand,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, cRowStride: Int,
        threadCount: Int
    ) {
        multiply(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, cRowStride: cRowStride,
                 threadCount: threadCount, minimumParallelOperations: parallelThreshold)
    }

    /// The threaded driver; tests lower `minimumParallelOperations` to split small products.
    static func multiply(
        m: Int, n: Int, k: Int,
        alpha: Float, a: MatrixOperand, b: MatrixOperand,
        beta: Float, c: UnsafeMutablePointer<Float>, cRowStride: Int,
        threadCount: Int, minimumParallelOperations: Double
    ) {
        guard m > 0, n > 0 else { return }
        let operations = 2 * Double(m) * Double(n) * Double(max(k, 0))
        guard threadCount > 1, operations >= minimumParallelOperations else {
            kernel(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, cRowStride: cRowStride)
            return
        }
        if n >= m {
            // Column blocks: each thread packs all of A (m×k) but only its own columns of B.
            let units = (n + columnGranularity - 1) / columnGranularity
            Parallelism.forEachChunk(count: units, threadCount: threadCount) { chunk in
                let start = chunk.lowerBound * columnGranularity
                let end = min(chunk.upperBound * columnGranularity, n)
                kernel(m: m, n: end - start, k: k, alpha: alpha,
                       a: a, b: b.droppingOperatedColumns(start), beta: beta,
                       c: c + start, cRowStride: cRowStride)
            }
        } else {
            // Row blocks: each thread packs all of B (k×n) but only its own rows of A.
            let units = (m + rowGranularity - 1) / rowGranularity
            Parallelism.forEachChunk(count: units, threadCount: threadCount) { chunk in
                let start = chunk.lowerBound * rowGranularity
                let end = min(chunk.upperBound * rowGranularity, m)
                kernel(m: end - start, n: n, k: k, alpha: alpha,
                       a: a.droppingOperatedRows(start), b: b, beta: beta,
                       c: c + start * cRowStride, cRowStride: cRowStride)
            }
        }
    }

    /// One single-threaded call of the C kernel.
    @inline(__always)
    static func kernel(
        m: Int, n: Int, k: Int, alpha: Float, a: MatrixOperand, b: MatrixOperand,
        beta: Float, c: UnsafeMutablePointer<Float>, cRowStride: Int
    ) {
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
