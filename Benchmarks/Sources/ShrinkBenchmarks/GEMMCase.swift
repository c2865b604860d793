/// One product shape of the GEMM benchmark: `C[m×n] = op(A)[m×k] · op(B)[k×n]`.
struct GEMMCase: Sendable {
    let name: String
    let m: Int
    let n: Int
    let k: Int
    let transposeA: Bool
    let transposeB: Bool
    /// What the shape stands for.
    let summary: String

    /// Floating-point operations of one product (a multiply and an add per term).
    var operations: Double { 2 * Double(m) * Double(n) * Double(k) }

    /// `name:m:n:k:transposeA:transposeB`, the form gemm_numpy.py reads with `--case`.
    var specification: String { "\(name):\(m):\(n):\(k):\(transposeA ? 1 : 0):\(transposeB ? 1 : 0)" }

    /// The standard set: 1024³ in the four layouts, then shapes of training a small MLP/CNN with
    /// batch 64 and of single-sample inference.
    static let all: [GEMMCase] = [
        GEMMCase(name: "nn-1024", m: 1024, n: 1024, k: 1024, transposeA: false, transposeB: false,
                 summary: "A·B, square"),
        GEMMCase(name: "tn-1024", m: 1024, n: 1024, k: 1024, transposeA: true, transposeB: false,
                 summary: "Aᵀ·B, square"),
        GEMMCase(name: "nt-1024", m: 1024, n: 1024, k: 1024, transposeA: false, transposeB: true,
                 summary: "A·Bᵀ, square"),
        GEMMCase(name: "tt-1024", m: 1024, n: 1024, k: 1024, transposeA: true, transposeB: true,
                 summary: "Aᵀ·Bᵀ, square"),
        GEMMCase(name: "mlp-forward", m: 64, n: 300, k: 784, transposeA: false, transposeB: true,
                 summary: "Linear 784→300 forward, X[64×784]·W[300×784]ᵀ"),
        GEMMCase(name: "mlp-input-gradient", m: 64, n: 784, k: 300, transposeA: false, transposeB: false,
                 summary: "Linear 784→300 input gradient, dY[64×300]·W[300×784]"),
        GEMMCase(name: "mlp-weight-gradient", m: 300, n: 784, k: 64, transposeA: true, transposeB: false,
                 summary: "Linear 784→300 weight gradient, dY[64×300]ᵀ·X[64×784]"),
        GEMMCase(name: "conv-im2col", m: 50, n: 4096, k: 500, transposeA: false, transposeB: false,
                 summary: "Conv 20→50 channels 5×5, W[50×500]·im2col[500×4096]"),
        GEMMCase(name: "gemv-inference", m: 1, n: 300, k: 784, transposeA: false, transposeB: true,
                 summary: "Linear 784→300 on one sample, x[1×784]·W[300×784]ᵀ"),
    ]
}
