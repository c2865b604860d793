import ShrinkCompression
import ShrinkFormats
import ShrinkNN
import ShrinkTensor

/// A model after the pruning steps of a candidate (weights, masks, step reports): what the
/// coding steps of every candidate with the same sparsities start from.
struct PrunedModel {
    /// The graph after pruning (smaller than the file's when structured pruning removed units).
    var graph: Graph
    var values: [String: Tensor]
    var parameterStates: [String: ParameterCompressionState]
    var activationQuantization: [String: QuantizationParameters]
    var dynamicActivationQuantization: [String: QuantizationScheme]
    var stepReports: [CompressionStepReport]
    /// How long the pruning steps took.
    var seconds: Double

    init(_ model: CompressedModel, seconds: Double) {
        graph = model.network.graph
        values = Dictionary(uniqueKeysWithValues: model.network.parameters.map { ($0.name, $0.value) })
        parameterStates = model.parameterStates
        activationQuantization = model.activationQuantization
        dynamicActivationQuantization = model.dynamicActivationQuantization
        stepReports = model.stepReports
        self.seconds = seconds
    }

    /// A new model in this state (its own copy of the weights).
    func restore() throws -> CompressedModel {
        let model = CompressedModel(network: try GraphNetwork(graph: graph, tensors: values))
        model.parameterStates = parameterStates
        model.activationQuantization = activationQuantization
        model.dynamicActivationQuantization = dynamicActivationQuantization
        model.stepReports = stepReports
        return model
    }
}

/// The last few pruned models, by `TuningCandidate.pruningSignature`.
struct PrunedModelCache {
    /// How many are kept (each holds a copy of the model's weights).
    var capacity = 6
    private(set) var models: [String: PrunedModel] = [:]
    private var order: [String] = []

    mutating func insert(_ model: PrunedModel, for key: String) {
        if models.updateValue(model, forKey: key) == nil { order.append(key) }
        while order.count > capacity { models[order.removeFirst()] = nil }
    }
}
