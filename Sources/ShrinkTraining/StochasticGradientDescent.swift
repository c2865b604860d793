import ShrinkNN

/// Stochastic gradient descent with optional momentum, L2 weight decay and Nesterov momentum,
/// with PyTorch's `torch.optim.SGD` semantics (dampening 0):
///
///     d = g + λ·w
///     v = μ·v + d               (v starts at 0, so the first step sets v = d as PyTorch does)
///     w = w − lr · (nesterov ? d + μ·v : v)
public final class StochasticGradientDescent: Optimizer {
    /// The momentum factor μ (0 disables momentum).
    public let momentum: Float
    /// The L2 penalty λ added to the gradient.
    public let weightDecay: Float
    /// Whether to use Nesterov momentum (requires `momentum > 0`).
    public let nesterov: Bool

    private final class State {
        var velocity: [Float]
        init(count: Int) { velocity = [Float](repeating: 0, count: count) }
    }
    private let states = ParameterStateStore<State>()

    public init(momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(momentum >= 0, "momentum must be non-negative, got \(momentum)")
        precondition(weightDecay >= 0, "weight decay must be non-negative, got \(weightDecay)")
        precondition(!nesterov || momentum > 0, "Nesterov momentum requires a positive momentum")
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
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
        let decay = weightDecay
        let momentum = momentum
        guard momentum > 0 else {
            parameter.value.withUnsafeMutableBufferPointer { weights in
                parameter.gradient.withUnsafeBufferPointer { gradients in
                    for index in 0..<count {
                        weights[index] -= learningRate * (gradients[index] + decay * weights[index])
                    }
                }
            }
            return
        }
        let state = states.state(for: parameter, isValid: { $0.velocity.count == count }) { State(count: count) }
        let nesterov = nesterov
        parameter.value.withUnsafeMutableBufferPointer { weights in
            parameter.gradient.withUnsafeBufferPointer { gradients in
                state.velocity.withUnsafeMutableBufferPointer { velocity in
                    for index in 0..<count {
                        let direction = gradients[index] + decay * weights[index]
                        let newVelocity = momentum * velocity[index] + direction
                        velocity[index] = newVelocity
                        let update = nesterov ? direction + momentum * newVelocity : newVelocity
                        weights[index] -= learningRate * update
                    }
                }
            }
        }
    }
}
