import ShrinkFormats
import ShrinkKernels
import ShrinkNN

extension ExecutionPlan.Compiler {
    /// BatchNorm node `index` in inference as `scale · x + shift` per channel.
    func batchNormAffine(node index: Int) throws -> ExecutionPlan.ChannelAffine {
        let node = graph.nodes[index]
        let op = resolved.operators[index] as! BatchNormalizationOperator
        let values = try op.weights.map { try tensor(node, $0).value.scalars }
        let (gamma, beta, mean, variance) = (values[0], values[1], values[2], values[3])
        let scale = (0..<op.channels).map { gamma[$0] / (variance[$0] + op.epsilon).squareRoot() }
        let shift = (0..<op.channels).map { beta[$0] - scale[$0] * mean[$0] }
        return ExecutionPlan.ChannelAffine(scale: scale, shift: shift)
    }

    func transform(channels: Int, affine: ExecutionPlan.ChannelAffine?, clamp: Clamp?) -> ExecutionPlan.OutputTransform {
        ExecutionPlan.OutputTransform(channels: channels, scale: affine?.scale, shift: affine?.shift,
                                      lower: clamp?.lower, upper: clamp?.upper)
    }

    /// The bounds of a fused activation (ReLU, ReLU6, Clip), nil for a bound it lacks.
    typealias Clamp = (lower: Float?, upper: Float?)

    /// The clamp an activation op computes, or nil when `op` is not one the transform fuses.
    static func clamp(of op: any Operator) -> Clamp? {
        switch op {
        case is ReLUOperator: (0, nil)
        case is ReLU6Operator: (0, 6)
        case let clip as ClipOperator: (clip.minimum, clip.maximum)
        default: nil
        }
    }

    /// The calibrated u8 parameters of the node's input when its kernel is int8 and
    /// `activationQuantization` has 8-bit ones for that value (signed ones shifted by 128 to
    /// u8: the same real values); nil otherwise (other bit widths: dynamic quantization).
    func staticQuantization(for kernel: ExecutionPlan.LinearKernel, node: Node) throws -> StaticActivationQuantization? {
        guard case .int8 = kernel, let parameters = activationQuantization[node.inputs[0]], parameters.bits == 8 else {
            return nil
        }
        do {
            return try StaticActivationQuantization(scale: parameters.scale,
                                                    zeroPoint: parameters.zeroPoint + (parameters.isSigned ? 128 : 0))
        } catch {
            throw ExecutionPlanError.kernel(node: node.name, error)
        }
    }
}
