import ShrinkNN

/// Updates a model's trainable parameters from their gradients.
///
/// Optimizers are reference types because they keep per-parameter state (momentum, moment
/// estimates) between steps; the state is keyed by the `Parameter` object's identity, so one
/// optimizer serves one model for one training run. Parameters whose `kind` is `.buffer` are
/// never touched. When a parameter's element count changes (e.g. a layer was structurally
/// pruned), its state starts afresh.
public protocol Optimizer: AnyObject {
    /// Applies one update to every `.trainable` parameter in `parameters` from its current
    /// `gradient`, with the given learning rate.
    func step(parameters: [Parameter], learningRate: Float)
    /// Forgets all per-parameter state, as if newly created.
    func reset()
}

/// Per-parameter optimizer state, keyed by parameter identity.
///
/// Holding the parameter strongly keeps its `ObjectIdentifier` from being reused by another
/// object while the entry exists.
final class ParameterStateStore<State: AnyObject> {
    private var entries: [ObjectIdentifier: (parameter: Parameter, state: State)] = [:]

    /// The state of `parameter`, created by `make` on first use or when `isValid` rejects it.
    func state(for parameter: Parameter, isValid: (State) -> Bool, make: () -> State) -> State {
        let key = ObjectIdentifier(parameter)
        if let entry = entries[key], isValid(entry.state) { return entry.state }
        let state = make()
        entries[key] = (parameter, state)
        return state
    }

    func removeAll() { entries.removeAll() }
}
