import ShrinkGraph

/// A BatchNormalization folded into the int8 `Linear` or `Conv2D` before it: per output channel
/// `y = factor · (W x + b) + shift`, with `factor = γ / √(var + ε)` and `shift = β − factor · mean`.
struct NormalizationFold {
    let factors: [Float]
    let shifts: [Float]
    /// The normalization's output, which the folded node produces.
    let output: String
}

extension ExportContext {
    /// QDQ export: folds each BatchNormalization that alone reads an int8 `Linear`'s or
    /// `Conv2D`'s output into it, as the runtime does (into the per-channel scales): the
    /// weight's `DequantizeLinear` scales take the factors, the bias the shift, and the node
    /// writes the normalization's output. onnxruntime then finds `DequantizeLinear` → `Conv` →
    /// `QuantizeLinear` and runs integer kernels; with the normalization between, it cannot.
    /// Folds only with positive factors (a scale stays positive).
    func planNormalizationFolds() throws(ONNXError) {
        guard quantization == .qdq else { return }
        let graph = resolved.graph
        for (index, node) in graph.nodes.enumerated() where node.operatorType == "Linear" || node.operatorType == "Conv2D" {
            guard let stored = tensor(named: node.weightName("weight")), Int8Weight(stored) != nil, node.outputs.count == 1,
                  !graph.outputs.contains(node.outputs[0]), let readers = consumers[node.outputs[0]], readers.count == 1,
                  graph.nodes[readers[0]].operatorType == "BatchNormalization", graph.nodes[readers[0]].inputs == [node.outputs[0]]
            else { continue }
            let normalization = graph.nodes[readers[0]]
            let epsilon = (try? resolved.operators[readers[0]].attributes.float("epsilon")) ?? 1e-5
            var parameters = [[Float]]()
            for weight in ["weight", "bias", "running_mean", "running_var"] {
                guard let tensor = tensor(named: normalization.weightName(weight)) else {
                    throw .export("node '\(normalization.name)' (BatchNormalization): weight '\(normalization.weightName(weight))' is missing from the model file")
                }
                parameters.append(tensor.value.scalars)
            }
            let (gamma, beta, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
            let factors = gamma.indices.map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
            guard factors.count == stored.value.shape[0], factors.allSatisfy({ $0 > 0 && $0.isFinite }) else { continue }
            let shifts = factors.indices.map { beta[$0] - factors[$0] * mean[$0] }
            folds[index] = NormalizationFold(factors: factors, shifts: shifts, output: normalization.outputs[0])
            foldedNormalizations.insert(readers[0])
        }
    }

    /// The node's bias input: its fp32 bias, or with a folded normalization the folded bias
    /// `factor · b + shift` (also for a node without bias); nil when there is none.
    func bias(_ node: ExportNode) throws(ONNXError) -> String? {
        let hasBias = try node.int("bias", default: 1) == 1
        guard let fold = folds[node.index] else { return hasBias ? try weight(node, "bias") : nil }
        let bias = hasBias ? try storedWeight(node, "bias").value.scalars : [Float](repeating: 0, count: fold.factors.count)
        let folded = bias.indices.map { fold.factors[$0] * bias[$0] + fold.shifts[$0] }
        let name = hasBias ? node.node.weightName("bias") : uniqueValueName(node.node.weightName("bias"))
        appendInitializer(Onnx_TensorProto(name: name, floats: folded, shape: [folded.count]))
        return name
    }
}
