import ShrinkNN
import ShrinkTensor

/// A minimal fully connected layer for the training tests: `y = x · Wᵀ + b` with plain loops.
/// (The real `Linear` lives in ShrinkNN; this one keeps the training tests independent of it.)
final class TestLinearLayer: Layer {
    let name: String
    let weight: Parameter // [outputFeatures, inputFeatures]
    let bias: Parameter // [outputFeatures]
    let inputFeatures: Int
    let outputFeatures: Int
    private var cachedInput: Tensor?

    init(name: String = "fc", inputFeatures: Int, outputFeatures: Int, seed: UInt64) {
        self.name = name
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        var generator = SeededRandomNumberGenerator(seed: seed)
        let bound = 1 / Float(inputFeatures).squareRoot()
        weight = Parameter(name: "\(name).weight", value: Tensor.randomUniform(
            shape: [outputFeatures, inputFeatures], lowerBound: -bound, upperBound: bound, using: &generator))
        bias = Parameter(name: "\(name).bias", value: Tensor(zeros: [outputFeatures]))
    }


    var parameters: [Parameter] { [weight, bias] }

    func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        let batch = input.shape[0]
        precondition(input.shape == [batch, inputFeatures])
        if mode == .training { cachedInput = input }
        var output = Tensor(zeros: [batch, outputFeatures]) // [batch, outputFeatures]
        for row in 0..<batch {
            for out in 0..<outputFeatures {
                var sum = bias.value.scalars[out]
                for feature in 0..<inputFeatures {
                    sum += input.scalars[row * inputFeatures + feature] * weight.value.scalars[out * inputFeatures + feature]
                }
                output.scalars[row * outputFeatures + out] = sum
            }
        }
        return output
    }

    func backward(_ outputGradient: Tensor) -> Tensor {
        guard let input = cachedInput else { preconditionFailure("backward without a training forward") }
        let batch = input.shape[0]
        var inputGradient = Tensor(zeros: input.shape) // [batch, inputFeatures]
        for row in 0..<batch {
            for out in 0..<outputFeatures {
                let gradient = outputGradient.scalars[row * outputFeatures + out]
                bias.gradient.scalars[out] += gradient
                for feature in 0..<inputFeatures {
                    weight.gradient.scalars[out * inputFeatures + feature] += gradient * input.scalars[row * inputFeatures + feature]
                    inputGradient.scalars[row * inputFeatures + feature] += gradient * weight.value.scalars[out * inputFeatures + feature]
                }
            }
        }
        return inputGradient
    }
}

/// A layer whose output is its input: lets tests hand the evaluator exact logits.
final class IdentityLayer: Layer {
    let name = "identity"
    var parameters: [Parameter] { [] }
    func forward(_ input: Tensor, mode: ForwardMode) -> Tensor { input }
    func backward(_ outputGradient: Tensor) -> Tensor { outputGradient }
}
