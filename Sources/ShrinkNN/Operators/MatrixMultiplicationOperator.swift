import ShrinkKernels
import ShrinkTensor

/// The batched product of two activations (ONNX `MatMul` without broadcasting):
/// `[batch, …, M, K] × [batch, …, K, N] → [batch, …, M, N]`. Both inputs have the same rank
/// (at least 3) and the same leading sizes, batch included; each `M×K · K×N` slice is one
/// `GEMM.multiply`. Attention's `Q·Kᵀ` is `MatMul(Q, Transpose(K))`.
public struct MatrixMultiplicationOperator: Operator {
    public static let typeName = "MatMul"
    public static let attributeDeclarations: [AttributeDeclaration] = []

    public init() {}
    public init(attributes: Attributes) throws(OperatorError) {}
    public var attributes: Attributes { [:] }

    public var inputCount: ClosedRange<Int> { 2...2 }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        let left = inputShapes[0], right = inputShapes[1]
        guard left.rank >= 3, right.rank == left.rank else {
            throw OperatorError("expects [batch, …, M, K] and [batch, …, K, N] of equal rank, at least 3")
        }
        let rank = left.rank
        guard left.dimensions[..<(rank - 2)] == right.dimensions[..<(rank - 2)] else {
            throw OperatorError("leading sizes differ: \(left) vs \(right) (no broadcasting)")
        }
        guard left[rank - 1] == right[rank - 2] else {
            throw OperatorError("inner sizes differ: K = \(left[rank - 1]) on the left, \(right[rank - 2]) on the right")
        }
        var output = left
        output[rank - 1] = right[rank - 1]
        return [output]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(multiplyAccumulates: outputShapes[0].reduce(1, *) * (inputShapes[0].last ?? 0))
    }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        MatrixMultiplicationKernel(name: name)
    }
}

/// Runs `MatMul` slice by slice: `Y = A·B`, `∂A = ∂Y·Bᵀ`, `∂B = Aᵀ·∂Y`.
final class MatrixMultiplicationKernel: OperatorKernel {
    let name: String
    /// The operands of the last training forward pass.
    private var cachedInputs: (left: Tensor, right: Tensor)?

    init(name: String) {
        self.name = name
    }

    /// The slice count and `M`, `K`, `N` of operands of these shapes.
    private func dimensions(_ left: [Int], _ right: [Int]) -> (slices: Int, m: Int, k: Int, n: Int) {
        let rank = left.count
        precondition(rank >= 3 && right.count == rank && left[..<(rank - 2)] == right[..<(rank - 2)]
                        && left[rank - 1] == right[rank - 2],
                     "MatMul '\(name)': shapes \(left) and \(right) do not multiply")
        return (left[..<(rank - 2)].reduce(1, *), left[rank - 2], left[rank - 1], right[rank - 1])
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let left = inputs[0], right = inputs[1]
        let (slices, m, k, n) = dimensions(left.shape, right.shape)
        cachedInputs = mode == .training ? (left, right) : nil
        let scalars = [Float].uninitialized(count: slices * m * n) { output in
            left.withUnsafeBufferPointer { a in
                right.withUnsafeBufferPointer { b in
                    for slice in 0..<slices {
                        GEMM.multiply(m: m, n: n, k: k,
                                      a: MatrixOperand(a.baseAddress! + slice * m * k, rowStride: k),
                                      b: MatrixOperand(b.baseAddress! + slice * k * n, rowStride: n),
                                      c: output + slice * m * n, cRowStride: n)
                    }
                }
            }
        }
        var shape = left.shape
        shape[shape.count - 1] = n
        return [Tensor(shape: shape, scalars: scalars)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let (left, right) = cachedInputs else { preconditionFailure("MatMul '\(name)': backward without a training forward pass") }
        let (slices, m, k, n) = dimensions(left.shape, right.shape)
        let gradient = outputGradients[0]
        precondition(gradient.count == slices * m * n, "MatMul '\(name)': output gradient shape \(gradient.shape) does not fit")
        return gradient.withUnsafeBufferPointer { dy -> [Tensor?] in
            // ∂A[M×K] = ∂Y[M×N] · B[K×N]ᵀ
            let leftGradient = needsInputGradients[0] ? right.withUnsafeBufferPointer { b in
                Tensor(shape: left.shape, scalars: [Float].uninitialized(count: left.count) { da in
                    for slice in 0..<slices {
                        GEMM.multiply(m: m, n: k, k: n,
                                      a: MatrixOperand(dy.baseAddress! + slice * m * n, rowStride: n),
                                      b: MatrixOperand(b.baseAddress! + slice * k * n, rowStride: n, transposed: true),
                                      c: da + slice * m * k, cRowStride: k)
                    }
                })
            } : nil
            // ∂B[K×N] = A[M×K]ᵀ · ∂Y[M×N]
            let rightGradient = needsInputGradients[1] ? left.withUnsafeBufferPointer { a in
                Tensor(shape: right.shape, scalars: [Float].uninitialized(count: right.count) { db in
                    for slice in 0..<slices {
                        GEMM.multiply(m: k, n: n, k: m,
                                      a: MatrixOperand(a.baseAddress! + slice * m * k, rowStride: k, transposed: true),
                                      b: MatrixOperand(dy.baseAddress! + slice * m * n, rowStride: n),
                                      c: db + slice * k * n, cRowStride: n)
                    }
                })
            } : nil
            return [leftGradient, rightGradient]
        }
    }
}
