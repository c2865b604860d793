import ShrinkNN
import ShrinkTensor

/// Networks over a compressed model's graph and weights with some node kernels wrapped
/// (simulated quantization, fake-quantized training, activation observers). They share the
/// base network's `Parameter` objects, so training one trains the model.
///
/// A simulation may guide a compression step (fine-tuning, step reports); the accuracy Shrink
/// reports for a compressed model comes from the written file run by the runtime.
public enum QuantizedSimulationNetwork {
    /// The inference-time network of `model` as floating-point simulation: every node with an
    /// entry in `model.activationQuantization` fake-quantizes its first input with those fixed
    /// parameters, every node in `model.dynamicActivationQuantization` with per-batch
    /// parameters. Weights are used as stored (already de-quantized values).
    public static func make(model: CompressedModel) -> GraphNetwork {
        GraphNetwork(sharingParametersOf: model.network) { node, _, kernel -> (any OperatorKernel)? in
            if let fixed = model.activationQuantization[node.name] {
                return QuantizedSimulationKernel(wrapping: kernel, input: .fixed(fixed))
            }
            if let scheme = model.dynamicActivationQuantization[node.name] {
                return QuantizedSimulationKernel(wrapping: kernel, input: .dynamic(scheme))
            }
            return nil
        }
    }
}
