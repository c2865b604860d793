/// A serializable choice of optimizer and its hyper-parameters (the learning rate is separate:
/// `TrainingConfiguration.baseLearningRate` and its schedule).
public enum OptimizerConfiguration: Codable, Equatable, Sendable {
    /// `StochasticGradientDescent` (PyTorch `SGD`, dampening 0).
    case sgd(momentum: Float, weightDecay: Float, nesterov: Bool)
    /// `Adam` with the weight decay as an L2 penalty (PyTorch `Adam`).
    case adam(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)
    /// `Adam` with decoupled weight decay (PyTorch `AdamW`).
    case adamW(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)

    /// A fresh optimizer with these settings.
    public func makeOptimizer() -> any Optimizer {
        switch self {
        case let .sgd(momentum, weightDecay, nesterov):
            StochasticGradientDescent(momentum: momentum, weightDecay: weightDecay, nesterov: nesterov)
        case let .adam(beta1, beta2, epsilon, weightDecay):
            Adam(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        case let .adamW(beta1, beta2, epsilon, weightDecay):
            Adam(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupledWeightDecay: true)
        }
    }

    /// Throws if a hyper-parameter is out of range.
    public func validate() throws(TrainingError) {
        switch self {
        case let .sgd(momentum, weightDecay, nesterov):
            guard momentum >= 0, momentum.isFinite else { throw .invalidSetting(name: "momentum", value: "\(momentum)") }
            guard weightDecay >= 0, weightDecay.isFinite else {
                throw .invalidSetting(name: "weightDecay", value: "\(weightDecay)")
            }
            guard !nesterov || momentum > 0 else { throw .invalidSetting(name: "nesterov", value: "true with momentum 0") }
        case let .adam(beta1, beta2, epsilon, weightDecay), let .adamW(beta1, beta2, epsilon, weightDecay):
            guard beta1 >= 0, beta1 < 1 else { throw .invalidSetting(name: "beta1", value: "\(beta1)") }
            guard beta2 >= 0, beta2 < 1 else { throw .invalidSetting(name: "beta2", value: "\(beta2)") }
            guard epsilon >= 0, epsilon.isFinite else { throw .invalidSetting(name: "epsilon", value: "\(epsilon)") }
            guard weightDecay >= 0, weightDecay.isFinite else {
                throw .invalidSetting(name: "weightDecay", value: "\(weightDecay)")
            }
        }
    }
}
