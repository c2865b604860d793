import ShrinkKernels
import ShrinkTensor

/// A fully connected layer, `y = x · Wᵀ + b`.
///
/// Input `[batch, inputFeatures]`, output `[batch, outputFeatures]`; weight
/// `[outputFeatures, inputFeatures]` (PyTorch layout), bias `[outputFeatures]`.
public final class Linear: Layer {
    public let name: String
    public let inputFeatures: Int
    public let outputFeatures: Int
    /// `<name>.weight`, `[outputFeatures, inputFeatures]`.
    public let weight: Parameter
    /// `<name>.bias`, `[outputFeatures]`, or nil without bias.
    public let bias: Parameter?

    /// The input of the last training forward pass, `[batch, inputFeatures]`.
    private var cachedInput: Tensor?

    /// Creates the layer with PyTorch's default initialization drawn from `generator`.
    public init(
        name: String, inputFeatures: Int, outputFeatures: Int, hasBias: Bool = true,
        generator: inout SeededRandomNumberGenerator
    ) {
        precondition(inputFeatures > 0 && outputFeatures > 0, "Linear '\(name)' needs positive feature counts")
        self.name = name
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        let initial = Initialization.kaimingUniform(
            weightShape: [outputFeatures, inputFeatures], fanIn: inputFeatures,
            hasBias: hasBias, biasCount: outputFeatures, generator: &generator)
        weight = Parameter(name: "\(name).weight", value: initial.weight)
        bias = initial.bias.map { Parameter(name: "\(name).bias", value: $0) }
    }

    /// Creates the layer around existing parameters (a graph network's weights):
    /// `weight` `[outputFeatures, inputFeatures]`, `bias` `[outputFeatures]`.
    public init(name: String, weight: Parameter, bias: Parameter?) {
        precondition(weight.value.rank == 2, "Linear '\(name)' needs a rank-2 weight")
        self.name = name
        self.outputFeatures = weight.value.shape[0]
        self.inputFeatures = weight.value.shape[1]
        self.weight = weight
        self.bias = bias
    }


    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputFeatures,
                     "Linear '\(name)' expects [batch, \(inputFeatures)], got \(input.shape)")
        let batch = input.shape[0]
        let outputs = outputFeatures, inputs = inputFeatures
        // [batch, outputFeatures] = [batch, inputFeatures] · [outputFeatures, inputFeatures]ᵀ
        let scalars = [Float].uninitialized(count: batch * outputs) { output in
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    if let bias {
                        bias.value.withUnsafeBufferPointer { b in
                            for row in 0..<batch {
                                (output + row * outputs).update(from: b.baseAddress!, count: outputs)
                            }
                        }
                    }
                    GEMM.multiply(
                        m: batch, n: outputs, k: inputs,
                        a: MatrixOperand(x.baseAddress!, rowStride: inputs),
                        b: MatrixOperand(w.baseAddress!, rowStride: inputs, transposed: true),
                        beta: bias == nil ? 0 : 1,
                        c: output, cRowStride: outputs)
                }
            }
        }
        cachedInput = mode == .training ? input : nil
        return Tensor(shape: [batch, outputs], scalars: scalars)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, needsInputGradient: true)!
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let input = cachedInput else {
            preconditionFailure("Linear '\(name)': backward without a training forward pass")
        }
        let batch = input.shape[0]
        let outputs = outputFeatures, inputs = inputFeatures
        precondition(outputGradient.shape == [batch, outputs],
                     "Linear '\(name)': output gradient \(outputGradient.shape) does not match [\(batch), \(outputs)]")
        return outputGradient.withUnsafeBufferPointer { dy -> Tensor? in
            // dW[outputFeatures, inputFeatures] += dYᵀ · X
            input.withUnsafeBufferPointer { x in
                weight.gradient.withUnsafeMutableBufferPointer { dw in
                    GEMM.multiply(
                        m: outputs, n: inputs, k: batch,
                        a: MatrixOperand(dy.baseAddress!, rowStride: outputs, transposed: true),
                        b: MatrixOperand(x.baseAddress!, rowStride: inputs),
                        beta: 1, c: dw.baseAddress!, cRowStride: inputs)
                }
            }
            // db[outputFeatures] += Σ_batch dY
            bias?.gradient.withUnsafeMutableBufferPointer { db in
                for row in 0..<batch {
                    let dyRow = dy.baseAddress! + row * outputs
                    for column in 0..<outputs { db[column] += dyRow[column] }
                }
            }
            guard needsInputGradient else { return nil }
            // dX[batch, inputFeatures] = dY · W
            let inputGradient = [Float].uninitialized(count: batch * inputs) { dx in
                weight.value.withUnsafeBufferPointer { w in
                    GEMM.multiply(
                        m: batch, n: inputs, k: outputs,
                        a: MatrixOperand(dy.baseAddress!, rowStride: outputs),
                        b: MatrixOperand(w.baseAddress!, rowStride: inputs),
                        c: dx, cRowStride: inputs)
                }
            }
            return Tensor(shape: [batch, inputs], scalars: inputGradient)
        }
    }
}
