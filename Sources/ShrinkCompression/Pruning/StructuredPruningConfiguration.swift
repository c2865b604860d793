/// The settings of structured L1 pruning: per layer, the fraction of output units (Linear) or
/// filters (Conv2D) to remove, and how to fine-tune the smaller network afterwards.
///
/// ```json
/// { "layers": {"default": 0.5, "skip": ["conv1"]}, "fineTuneEpochs": 2 }
/// ```
/// The final classifier (the last weight layer) never loses outputs, whatever the settings say.
public struct StructuredPruningConfiguration: Codable, Equatable, Sendable {
    /// Per layer: the fraction of units removed, in [0, 1); `round(fraction · units)` units with
    /// the smallest L1 norms go (ties: the lower index goes first), at least one unit stays.
    public var layers: PerLayerSettings<Double>
    /// Fine-tuning epochs after the removal; nil uses the context's base configuration.
    public var fineTuneEpochs: Int?
    /// The base learning rate of fine-tuning; nil uses the context's base configuration.
    public var learningRate: Float?

    public init(layers: PerLayerSettings<Double>, fineTuneEpochs: Int? = nil, learningRate: Float? = nil) {
        self.layers = layers
        self.fineTuneEpochs = fineTuneEpochs
        self.learningRate = learningRate
    }

    /// Throws a `PruningError` naming the first setting out of range.
    public func validate() throws(PruningError) {
        var values: [(String, Double)] = []
        if let value = layers.default { values.append(("layers.default", value)) }
        for override in layers.layerTypes { values.append(("layers.layerTypes[\(override.type)]", override.setting)) }
        for override in layers.layers { values.append(("layers.layers[\(override.pattern)]", override.setting)) }
        for (name, value) in values where !(value >= 0 && value < 1) {
            throw .invalidSparsity(setting: name, value: value)
        }
        try PruningFineTuning.validate(epochs: fineTuneEpochs, learningRate: learningRate)
    }
}
