import ShrinkNN
import ShrinkTensor

/// A `Sequential` model run with some of its layers replaced by wrappers (simulated
/// quantization, fake-quantized training), sharing the base model's `Parameter` objects.
///
/// Built for measuring quantized accuracy with `Evaluator.evaluate` and fine-tuning with the
/// normal `Trainer`; the base model itself is never modified structurally.
public final class QuantizedSimulationNetwork: LayerChain {
    /// The model whose layers (and parameters) are used.
    public let base: Sequential
    /// The layers run in order: wrappers, unchanged base layers, nested networks.
    public let layers: [any Layer]

    /// Wraps every leaf layer for which `wrap` returns a replacement (nested `Sequential`s are
    /// wrapped recursively).
    public init(base: Sequential, wrap: (any Layer) throws -> (any Layer)?) rethrows {
        self.base = base
        layers = try base.layers.map { layer in
            if let nested = layer as? Sequential { return try QuantizedSimulationNetwork(base: nested, wrap: wrap) }
            return try wrap(layer) ?? layer
        }
    }

    /// The inference-time network of `model`: every layer with an entry in
    /// `model.activationQuantization` fake-quantizes its input with those fixed parameters,
    /// every layer in `model.dynamicActivationQuantization` with per-batch parameters. Weights
    /// are used as stored (already de-quantized values).
    public convenience init(model: CompressedModel) {
        self.init(base: model.network) { layer -> (any Layer)? in
            if let fixed = model.activationQuantization[layer.name] {
                return QuantizedSimulationLayer(wrapping: layer, input: .fixed(fixed))
            }
            if let scheme = model.dynamicActivationQuantization[layer.name] {
                return QuantizedSimulationLayer(wrapping: layer, input: .dynamic(scheme))
            }
            return nil
        }
    }

    public var name: String { base.name }
    public var specification: LayerSpecification { base.specification }
    public var parameters: [Parameter] { base.parameters }

    /// Every leaf layer in execution order, nested networks expanded.
    public var flattenedLayers: [any Layer] {
        layers.flatMap { layer -> [any Layer] in
            if let nested = layer as? QuantizedSimulationNetwork { return nested.flattenedLayers }
            return [layer]
        }
    }

    /// The base model's input sample shape.
    public var sampleInputShape: [Int] { base.architecture.inputShape }
}
