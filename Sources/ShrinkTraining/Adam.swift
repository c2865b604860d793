import Foundation
import ShrinkNN

/// Adam with PyTorch's `torch.optim.Adam` semantics, or AdamW (`torch.optim.AdamW`) when the
/// weight decay is decoupled. With step count `t` per parameter:
///
///     g = g + λ·w                         (Adam: L2 penalty in the gradient)
///     w = w · (1 − lr·λ)                  (AdamW: decoupled decay, instead)
///     m = β₁·m + (1 − β₁)·g
///     v = β₂·v + (1 − β₂)·g²
///     w = w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
public final class Adam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// The weight decay λ: an L2 penalty, or decoupled decay if `decoupledWeightDecay`.
    public let weightDecay: Float
    /// Whether weight decay shrinks the weights directly (AdamW) instead of entering the gradient.
    public let decoupledWeightDecay: Bool

    private final class State {
        var firstMoment: [Float]
        var secondMoment: [Float]
        var stepCount = 0
        init(count: Int) {
            firstMoment = [Float](repeating: 0, count: count)
            secondMoment = [Float](repeating: 0, count: count)
        }
    }
    private let states = ParameterStateStore<State>()

    public init(
        beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0, decoupledWeightDecay: Bool = false
    ) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "betas must be in [0, 1)")
        precondition(epsilon >= 0 && weightDecay >= 0, "epsilon and weight decay must be non-negative")
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public func step(parameters: [Parameter], learningRate: Float) {
        for parameter in parameters where parameter.kind == .trainable {
            update(parameter, learningRate: learningRate)
        }
    }

    public func reset() { states.removeAll() }

    private func update(_ parameter: Parameter, learningRate: Float) {
        let count = parameter.value.count
        precondition(parameter.gradient.count == count, "\(parameter.name): gradient and value sizes differ")
        let state = states.state(for: parameter, isValid: { $0.firstMoment.count == count }) { State(count: count) }
        state.stepCount += 1
        let step = Double(state.stepCount)
        let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), step)))
        let inverseCorrection2 = Float(1 / (1 - pow(Double(beta2), step)).squareRoot())
        let l2Decay = decoupledWeightDecay ? 0 : weightDecay
        let shrink = decoupledWeightDecay ? 1 - learningRate * weightDecay : 1
        let (beta1, beta2, epsilon) = (beta1, beta2, epsilon)
        parameter.value.withUnsafeMutableBufferPointer { weights in
            parameter.gradient.withUnsafeBufferPointer { gradients in
                state.firstMoment.withUnsafeMutableBufferPointer { first in
                    state.secondMoment.withUnsafeMutableBufferPointer { second in
                        for index in 0..<count {
                            let weight = weights[index] * shrink
                            let gradient = gradients[index] + l2Decay * weight
                            let m = beta1 * first[index] + (1 - beta1) * gradient
                            let v = beta2 * second[index] + (1 - beta2) * gradient * gradient
                            first[index] = m
                            second[index] = v
                            weights[index] = weight - stepSize * m / (v.squareRoot() * inverseCorrection2 + epsilon)
                        }
                    }
                }
            }
        }
    }
}
