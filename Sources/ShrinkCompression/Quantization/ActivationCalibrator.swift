import ShrinkNN
import ShrinkTensor

/// The calibration lifecycle of static quantization: `init` (prepare) creates one observer per
/// chosen layer, `calibrate` runs batches through the network in inference mode and shows each
/// chosen layer's **input** to its observer, `finalize` turns the observed ranges into
/// per-tensor activation parameters.
public final class ActivationCalibrator {
    public let network: Sequential
    public let scheme: QuantizationScheme
    /// The observers by layer name.
    public private(set) var observers: [String: any Observer]
    /// Batches seen so far.
    public private(set) var batches = 0

    /// - Parameters:
    ///   - layerNames: the layers whose inputs are observed.
    ///   - scheme: the activation scheme (per tensor; per-channel is ignored).
    public init(
        network: Sequential, layerNames: [String], observer: ObserverConfiguration, scheme: QuantizationScheme,
        seed: UInt64 = 0
    ) throws(QuantizationError) {
        try observer.validate()
        try scheme.validate()
        var perTensor = scheme
        perTensor.isPerChannel = false
        self.network = network
        self.scheme = perTensor
        var observers = [String: any Observer]()
        for (index, name) in layerNames.enumerated() {
            observers[name] = observer.makeObserver(for: perTensor, seed: seed &+ UInt64(index))
        }
        self.observers = observers
    }

    /// Runs one batch (`[batch] + inputShape`, or any shape with as many elements per sample)
    /// and observes the inputs of the chosen layers.
    public func calibrate(_ inputs: Tensor) {
        let inputShape = network.architecture.inputShape
        var activation = inputs.reshaped([inputs.shape[0]] + inputShape)
        for layer in network.flattenedLayers {
            if observers[layer.name] != nil { observers[layer.name]!.observe(activation) }
            activation = layer.forward(activation, mode: .inference)
        }
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
