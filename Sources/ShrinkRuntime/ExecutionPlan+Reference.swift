import ShrinkNN
import ShrinkTensor

extension ExecutionPlan.Compiler {
    /// A node on its op's own inference kernel, with `Parameter`s wrapping the decoded tensors
    /// (shared storage, gradients allocated only if ever written); a BatchNorm `affine` is
    /// folded into a convolution's weight and bias first.
    func referenceStep(_ index: Int, op: any Operator, affine: ExecutionPlan.ChannelAffine?, clamp: Clamp?, ids: (String) -> Int,
                       sampleShapes: [[Int]], channels: Int) throws -> ExecutionPlan.Step {
        let node = graph.nodes[index]
        var op = op
        var weights = try op.weights.map { declaration in
            Parameter(name: node.weightName(declaration.name), value: try tensor(node, declaration).value, kind: declaration.kind)
        }
        if let affine, let convolution = op as? Convolution2DOperator {
            // W'[c] = scale[c] · W[c], b'[c] = scale[c] · b[c] + shift[c]
            var values = weights[0].value.scalars
            let perChannel = values.count / convolution.outputChannels
            for channel in 0..<convolution.outputChannels {
                for position in 0..<perChannel { values[channel * perChannel + position] *= affine.scale[channel] }
            }
            weights[0].value = Tensor(shape: weights[0].value.shape, scalars: values)
            let bias = (0..<convolution.outputChannels).map {
                affine.scale[$0] * (convolution.hasBias ? weights[1].value.scalars[$0] : 0) + affine.shift[$0]
            }
            let biasParameter = Parameter(name: node.weightName("bias"), value: Tensor(shape: [bias.count], scalars: bias))
            if convolution.hasBias { weights[1] = biasParameter } else { weights.append(biasParameter) }
            var withBias = convolution
            withBias.hasBias = true
            op = withBias
        }
        var generator = SeededRandomNumberGenerator(seed: 0)
        let kernel = op.makeKernel(name: node.name, weights: weights, generator: &generator)
        let step = ExecutionPlan.Step(node: index, name: node.name,
                        operation: .reference(kernel, inputShapes: node.inputs.map { sampleShapes[ids($0)] },
                                              outputShapes: node.outputs.map { sampleShapes[ids($0)] }),
                        inputs: node.inputs.map(ids), outputs: node.outputs.map(ids),
                        transform: transform(channels: channels, affine: nil, clamp: clamp))
        step.referenceWeightBytes = weights.reduce(0) { $0 + 4 * $1.value.count }
        return step
    }
}
