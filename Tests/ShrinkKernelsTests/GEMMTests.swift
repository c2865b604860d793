import Dispatch
import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The fast GEMM against `ReferenceKernels.multiply` on every CPU path, layout and thread count.
///
/// Tolerance: each element may differ from the Double-accumulated reference by at most
/// 1e-5 · (|alpha| · Σ_p |a_ip|·|b_pj| + |beta · c_ij|), i.e. relative to the sum of magnitudes of
/// the terms, which bounds float32 rounding independently of cancellation. A single dropped or
/// doubled term of size |a||b| ≈ Σ/k is 1e-3 of that sum even for k = 1000, so wrong indexing fails.
@Suite(.serialized)
struct GEMMTests {
    struct Shape: CustomStringConvertible, Sendable {
        let m: Int, n: Int, k: Int
        var description: String { "\(m)×\(n)×\(k)" }
    }

    /// Odd shapes with dimensions 1, 7, 33 and 1000 (edge tiles, every cache block loop, the
    /// direct small path, B packed and in place), and shapes whose two-thread split by rows
    /// (m > n) or by columns (n >= m) has ragged last blocks. With two threads every product is
    /// split (the FLOP threshold is lowered to 0 for the test), so splitting is always tested.
    static let shapes: [Shape] = [
        Shape(m: 1000, n: 7, k: 33), Shape(m: 33, n: 1000, k: 7), Shape(m: 7, n: 33, k: 1000),
        Shape(m: 1, n: 1000, k: 1), Shape(m: 33, n: 33, k: 33), Shape(m: 1, n: 7, k: 1000),
        Shape(m: 1000, n: 1, k: 7), Shape(m: 7, n: 1, k: 1), Shape(m: 2, n: 33, k: 7),
        Shape(m: 13, n: 1000, k: 33), Shape(m: 50, n: 70, k: 400),
        Shape(m: 201, n: 97, k: 210), Shape(m: 97, n: 230, k: 180),
    ]

    static let tolerance: Double = 1e-5

    /// alpha, beta; beta == 0 runs with C full of NaN, which must not leak into the result.
    static let coefficients: [(alpha: Float, beta: Float)] = [(1, 0), (-0.75, 0.5), (0.5, 1)]

    @Test(arguments: shapes)
    func matchesReferenceOnEveryPathLayoutAndThreadCount(shape: Shape) {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        var generator = SeededRandomNumberGenerator(seed: UInt64(m * 1_000_003 + n * 1009 + k))
        let aValues = StoredMatrix.randomValues(count: m * k, generator: &generator)
        let bValues = StoredMatrix.randomValues(count: k * n, generator: &generator)
        let initialC = StoredMatrix.randomValues(count: m * n, generator: &generator)

        // Reference product and the sum of term magnitudes, computed once per shape.
        let product = referenceProduct(m: m, n: n, k: k, a: aValues, b: bValues)
        let magnitude = referenceProduct(m: m, n: n, k: k, a: aValues.map(abs), b: bValues.map(abs))

        let aLayouts = [false, true].map { StoredMatrix(rows: m, columns: k, values: aValues, transposed: $0, padding: 3) }
        let bLayouts = [false, true].map { StoredMatrix(rows: k, columns: n, values: bValues, transposed: $0, padding: 5) }
        let cRowStride = n + 2

        for path in CPUPath.available {
            for threadCount in [1, 2] {
                for a in aLayouts {
                    for b in bLayouts {
                        for (alpha, beta) in Self.coefficients {
                            // Padding of C holds a sentinel that must survive.
                            var c = [Float](repeating: -7, count: m * cRowStride)
                            for i in 0..<m {
                                for j in 0..<n { c[i * cRowStride + j] = beta == 0 ? .nan : initialC[i * n + j] }
                            }
                            CPUPath.withPath(path) {
                                a.withOperand { aOperand in
                                    b.withOperand { bOperand in
                                        c.withUnsafeMutableBufferPointer { cBuffer in
                                            GEMM.multiply(m: m, n: n, k: k, alpha: alpha, a: aOperand, b: bOperand,
                                                          beta: beta, c: cBuffer.baseAddress!, cRowStride: cRowStride,
                                                          threadCount: threadCount, minimumParallelOperations: 0)
                                        }
                                    }
                                }
                            }
                            var worst = 0.0
                            var paddingIntact = true
                            for i in 0..<m {
                                for j in 0..<n {
                                    let previous = beta == 0 ? 0 : Double(beta) * Double(initialC[i * n + j])
                                    let expected = Double(alpha) * product[i * n + j] + previous
                                    let scale = abs(Double(alpha)) * magnitude[i * n + j] + abs(previous) + 1e-30
                                    let error = abs(Double(c[i * cRowStride + j]) - expected) / scale
                                    if !(error <= worst) { worst = error.isNaN ? .infinity : error }
                                }
                                for j in n..<cRowStride where c[i * cRowStride + j] != -7 { paddingIntact = false }
                            }
                            let context = "\(shape) path \(path) threads \(threadCount) Aᵀ \(a.isTransposed) Bᵀ \(b.isTransposed) alpha \(alpha) beta \(beta)"
                            #expect(worst <= Self.tolerance, "relative error \(worst) for \(context)")
                            #expect(paddingIntact, "C padding overwritten for \(context)")
                        }
                    }
                }
            }
        }
    }

    /// `ReferenceKernels.multiply` of row-major A (m×k) and B (k×n) with alpha 1, beta 0.
    private func referenceProduct(m: Int, n: Int, k: Int, a: [Float], b: [Float]) -> [Double] {
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                c.withUnsafeMutableBufferPointer { cBuffer in
                    ReferenceKernels.multiply(
                        m: m, n: n, k: k,
                        a: MatrixOperand(aBuffer.baseAddress!, rowStride: k),
                        b: MatrixOperand(bBuffer.baseAddress!, rowStride: n),
                        c: cBuffer.baseAddress!, cRowStride: n)
                }
            }
        }
        return c.map(Double.init)
    }

    @Test func emptyDepthScalesC() {
        for path in CPUPath.available {
            CPUPath.withPath(path) {
                let a: [Float] = [1], b: [Float] = [1]
                var scaled: [Float] = [1, 2, 3, 4, 5, 6]
                var cleared: [Float] = [.nan, .nan, .nan, .nan, .nan, .nan]
                a.withUnsafeBufferPointer { aBuffer in
                    b.withUnsafeBufferPointer { bBuffer in
                        let aOperand = MatrixOperand(aBuffer.baseAddress!, rowStride: 0)
                        let bOperand = MatrixOperand(bBuffer.baseAddress!, rowStride: 3)
                        scaled.withUnsafeMutableBufferPointer {
                            GEMM.multiply(m: 2, n: 3, k: 0, a: aOperand, b: bOperand, beta: 0.5,
                                          c: $0.baseAddress!, cRowStride: 3)
                        }
                        cleared.withUnsafeMutableBufferPointer {
                            GEMM.multiply(m: 2, n: 3, k: 0, a: aOperand, b: bOperand, beta: 0,
                                          c: $0.baseAddress!, cRowStride: 3)
                        }
                    }
                }
                #expect(scaled == [0.5, 1, 1.5, 2, 2.5, 3], "path \(path)")
                #expect(cleared == [0, 0, 0, 0, 0, 0], "path \(path)")
            }
        }
    }

    @Test func emptyOutputIsUntouched() {
        var c: [Float] = [42]
        let a: [Float] = [1, 2], b: [Float] = [3, 4]
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                c.withUnsafeMutableBufferPointer {
                    GEMM.multiply(m: 0, n: 1, k: 2, a: MatrixOperand(aBuffer.baseAddress!, rowStride: 2),
                                  b: MatrixOperand(bBuffer.baseAddress!, rowStride: 1),
                                  c: $0.baseAddress!, cRowStride: 1)
                }
            }
        }
        #expect(c == [42])
    }

    /// Concurrent single-threaded calls (each thread with its own packing buffers) give exactly
    /// the results of the same calls made one after another.
    @Test func concurrentCallsAreIndependent() {
        let shapes = [Shape(m: 70, n: 90, k: 500), Shape(m: 130, n: 40, k: 300),
                      Shape(m: 20, n: 150, k: 60), Shape(m: 90, n: 90, k: 90)]
        var generator = SeededRandomNumberGenerator(seed: 99)
        let inputs = shapes.map { shape in
            (StoredMatrix.randomValues(count: shape.m * shape.k, generator: &generator),
             StoredMatrix.randomValues(count: shape.k * shape.n, generator: &generator))
        }
        func run(_ index: Int) -> [Float] {
            let shape = shapes[index]
            let a = StoredMatrix(rows: shape.m, columns: shape.k, values: inputs[index].0, transposed: index % 2 == 1, padding: 1)
            let b = StoredMatrix(rows: shape.k, columns: shape.n, values: inputs[index].1, transposed: index >= 2, padding: 0)
            var c = [Float](repeating: .nan, count: shape.m * shape.n)
            a.withOperand { aOperand in
                b.withOperand { bOperand in
                    c.withUnsafeMutableBufferPointer {
                        GEMM.multiply(m: shape.m, n: shape.n, k: shape.k, a: aOperand, b: bOperand,
                                      c: $0.baseAddress!, cRowStride: shape.n, threadCount: 1)
                    }
                }
            }
            return c
        }
        let sequential = shapes.indices.map(run)
        let results = ConcurrentResults(count: shapes.count * 4)
        DispatchQueue.concurrentPerform(iterations: shapes.count * 4) { iteration in
            results.store(run(iteration % shapes.count), at: iteration)
        }
        for iteration in 0..<(shapes.count * 4) {
            #expect(results.value(at: iteration) == sequential[iteration % shapes.count], "call \(iteration)")
        }
    }
}

/// Results written by concurrent iterations into distinct slots.
private final class ConcurrentResults: @unchecked Sendable {
    private var slots: [[Float]]
    private let lock = DispatchSemaphore(value: 1)

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func store(_ value: [Float], at index: Int) {
        lock.wait()
        slots[index] = value
        lock.signal()
    }

    func value(at index: Int) -> [Float] {
        lock.wait()
        defer { lock.signal() }
        return slots[index]
    }
}
