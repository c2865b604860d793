import ShrinkNN
import ShrinkTensor

/// The calibration lifecycle of static quantization: `init` (prepare) creates one observer per
/// chosen node, `calibrate` runs batches through the network in inference mode and shows each
/// chosen node's **first input** to its observer, `finalize` turns the observed ranges into
/// per-tensor activation parameters.
public final class ActivationCalibrator {
    /// The model's network with observing kernels on the chosen nodes (sharing its weights).
    public let network: GraphNetwork
    public let scheme: QuantizationScheme
    /// The observers by layer name.
    public private(set) var observers: [String: any Observer]
    /// Batches seen so far.
    public private(set) var batches = 0

    /// - Parameters:
    ///   - layerNames: the layers whose inputs are observed.
    ///   - scheme: the activation scheme (per tensor; per-channel is ignored).
    public init(
        network: GraphNetwork, layerNames: [String], observer: ObserverConfiguration, scheme: QuantizationScheme,
        seed: UInt64 = 0
    ) throws(QuantizationError) {
        try observer.validate()
        try scheme.validate()
        var perTensor = scheme
        perTensor.isPerChannel = false
        self.scheme = perTensor
        var observers = [String: any Observer]()
        for (index, name) in layerNames.enumerated() {
            observers[name] = observer.makeObserver(for: perTensor, seed: seed &+ UInt64(index))
        }
        self.observers = observers
        let chosen = Set(layerNames)
        var observing = [ObservingKernel]()
        self.network = GraphNetwork(sharingParametersOf: network) { node, _, kernel -> (any OperatorKernel)? in
            guard chosen.contains(node.name) else { return nil }
            let wrapper = ObservingKernel(wrapping: kernel, name: node.name)
            observing.append(wrapper)
            return wrapper
        }
        self.observing = observing
        for wrapper in observing { wrapper.calibrator = self }
    }

    private var observing: [ObservingKernel] = []

    /// Shows one node's input to its observer.
    fileprivate func observe(_ input: Tensor, node: String) {
        observers[node]?.observe(input)
    }

    /// Runs one batch (`[batch] + inputShape`, or any shape with as many elements per sample)
    /// and observes the inputs of the chosen layers.
    public func calibrate(_ inputs: Tensor) {
        _ = network.forward(inputs, mode: .inference)
        batches += 1
    }

    /// The observed range per layer.
    public func ranges() throws(QuantizationError) -> [String: QuantizationRange] {
        var ranges = [String: QuantizationRange]()
        for (name, observer) in observers { ranges[name] = try observer.range() }
        return ranges
    }

    /// The activation parameters per layer.
    public func finalize() throws(QuantizationError) -> [String: QuantizationParameters] {
        var result = [String: QuantizationParameters]()
        for (name, range) in try ranges() { result[name] = try AffineQuantization.parameters(for: range, scheme: scheme) }
        return result
    }
}

/// Runs a node's kernel after showing its first input to the calibrator.
private final class ObservingKernel: OperatorKernel {
    let wrapped: any OperatorKernel
    let name: String
    weak var calibrator: ActivationCalibrator?

    init(wrapping kernel: any OperatorKernel, name: String) {
        wrapped = kernel
        self.name = name
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        calibrator?.observe(inputs[0], node: name)
        return wrapped.forward(inputs, mode: mode)
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        wrapped.backward(outputGradients, needsInputGradients: needsInputGradients)
    }
}
