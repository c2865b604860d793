/// The settings of magnitude (unstructured) pruning: what to prune to, on which schedule, and
/// how to fine-tune.
///
/// ```json
/// { "method": "layerSparsity",
///   "layers": {"default": 0.9, "layerTypes": [{"type": "conv2d", "setting": 0.66}],
///              "layers": [{"pattern": "fc3", "setting": 0.74}]},
///   "schedule": {"iterative": {"iterations": 3, "spacing": "geometric"}},
///   "fineTuneEpochs": 2, "learningRate": 0.01 }
/// ```
public struct MagnitudePruningConfiguration: Codable, Equatable, Sendable {
    /// How the per-layer values are read and how pruned elements are chosen.
    public enum Method: String, Codable, Equatable, Sendable {
        /// Per layer, prune `|w| < quality · std(w)` (Han et al.); the layer's setting is the
        /// quality (a multiple of the standard deviation of all of the tensor's elements, measured
        /// when the step starts). Schedules use the sparsity this threshold implies.
        case standardDeviationThreshold
        /// Per layer, prune the `round(s · n)` smallest magnitudes; the setting is the sparsity `s`.
        case layerSparsity
        /// One magnitude ranking over every selected tensor to reach `globalSparsity` overall;
        /// a layer takes part when its setting resolves (the value itself is not used).
        case globalSparsity
    }

    public var method: Method
    /// Per layer (Linear and Conv2D, addressed by layer name and type `linear`/`conv2d`): the
    /// quality or the sparsity, as `method` says; layers that resolve to nil (skipped, or no
    /// default) are not pruned.
    public var layers: PerLayerSettings<Double>
    /// The overall target of `globalSparsity` (fraction of the selected elements that are zero).
    public var globalSparsity: Double?
    public var schedule: PruningSchedule
    /// Fine-tuning epochs (per cycle for `iterative`); nil uses the context's base configuration.
    public var fineTuneEpochs: Int?
    /// The base learning rate of fine-tuning; nil uses the context's base configuration.
    public var learningRate: Float?
    /// Whether the biases of selected layers are pruned as well (with the same target);
    /// off by default, as biases are few and matter.
    public var pruneBiases: Bool

    public init(
        method: Method, layers: PerLayerSettings<Double>, globalSparsity: Double? = nil,
        schedule: PruningSchedule = .oneShot, fineTuneEpochs: Int? = nil, learningRate: Float? = nil,
        pruneBiases: Bool = false
    ) {
        self.method = method
        self.layers = layers
        self.globalSparsity = globalSparsity
        self.schedule = schedule
        self.fineTuneEpochs = fineTuneEpochs
        self.learningRate = learningRate
        self.pruneBiases = pruneBiases
    }

    enum CodingKeys: String, CodingKey {
        case method, layers, globalSparsity, schedule, fineTuneEpochs, learningRate, pruneBiases
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        method = try container.decode(Method.self, forKey: .method)
        layers = try container.decode(PerLayerSettings<Double>.self, forKey: .layers)
        globalSparsity = try container.decodeIfPresent(Double.self, forKey: .globalSparsity)
        schedule = try container.decodeIfPresent(PruningSchedule.self, forKey: .schedule) ?? .oneShot
        fineTuneEpochs = try container.decodeIfPresent(Int.self, forKey: .fineTuneEpochs)
        learningRate = try container.decodeIfPresent(Float.self, forKey: .learningRate)
        pruneBiases = try container.decodeIfPresent(Bool.self, forKey: .pruneBiases) ?? false
    }

    /// Throws a `PruningError` naming the first setting out of range.
    public func validate() throws(PruningError) {
        var values: [(String, Double)] = []
        if let value = layers.default { values.append(("layers.default", value)) }
        for override in layers.layerTypes { values.append(("layers.layerTypes[\(override.type)]", override.setting)) }
        for override in layers.layers { values.append(("layers.layers[\(override.pattern)]", override.setting)) }
        switch method {
        case .standardDeviationThreshold:
            for (name, value) in values where !(value >= 0 && value.isFinite) {
                throw .invalidQuality(setting: name, value: value)
            }
        case .layerSparsity:
            for (name, value) in values where !(value >= 0 && value < 1) {
                throw .invalidSparsity(setting: name, value: value)
            }
        case .globalSparsity:
            guard let globalSparsity else { throw .missingGlobalSparsity }
            guard globalSparsity >= 0, globalSparsity < 1 else {
                throw .invalidSparsity(setting: "globalSparsity", value: globalSparsity)
            }
        }
        try schedule.validate()
        try PruningFineTuning.validate(epochs: fineTuneEpochs, learningRate: learningRate)
    }

    /// A one-line description for reports.
    var summary: String {
        let target = switch method {
        case .standardDeviationThreshold: "threshold = quality × std"
        case .layerSparsity: "per-layer sparsity"
        case .globalSparsity: "global sparsity \(globalSparsity ?? 0)"
        }
        return "magnitude, \(target), \(schedule.summary)"
    }
}
