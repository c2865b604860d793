/// The settings of weight sharing by k-means clustering (Han et al., *Deep Compression* §3).
///
/// ```json
/// { "bits": {"default": {"bits": 5}, "layerTypes": [{"type": "conv2d", "setting": {"bits": 8}}]},
///   "initialization": "linear", "maximumIterations": 300, "seed": 0,
///   "fineTuning": {"epochs": 2, "learningRate": 0.0001, "momentum": 0.9} }
/// ```
/// Only `bits` is required; the rest default to the values of `init`.
public struct WeightClusteringConfiguration: Codable, Equatable, Sendable {
    /// The per-layer setting: the palette has at most `2^bits` entries (one of them the
    /// reserved zero when the layer was pruned).
    public struct LayerSetting: Codable, Equatable, Sendable {
        /// Bits per palette index, 1...16.
        public var bits: Int

        public init(bits: Int) {
            self.bits = bits
        }
    }

    /// Centroid fine-tuning after clustering: SGD on the centroids with the summed member
    /// gradients (eq. 3), batch size, schedule and shuffle seed from the context's fine-tuning
    /// configuration.
    public struct FineTuning: Codable, Equatable, Sendable {
        /// Passes over the training set; 0 skips fine-tuning.
        public var epochs: Int
        /// The base learning rate of the centroid updates. The centroid gradient sums over all
        /// members, so this is typically much smaller than a per-weight learning rate.
        public var learningRate: Float
        /// The SGD momentum in [0, 1).
        public var momentum: Float

        public init(epochs: Int, learningRate: Float, momentum: Float = 0.9) {
            self.epochs = epochs
            self.learningRate = learningRate
            self.momentum = momentum
        }

        enum CodingKeys: String, CodingKey { case epochs, learningRate, momentum }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            epochs = try container.decode(Int.self, forKey: .epochs)
            learningRate = try container.decode(Float.self, forKey: .learningRate)
            momentum = try container.decodeIfPresent(Float.self, forKey: .momentum) ?? 0.9
        }
    }

    /// Bits per layer, resolved name pattern > layer type > default; skipped layers keep their
    /// weights.
    public var bits: PerLayerSettings<LayerSetting>
    /// How k-means starts (linear is Han et al.'s best).
    public var initialization: ClusterInitialization
    /// The most Lloyd iterations per layer; k-means stops earlier when the assignment stops
    /// changing. Iterations are cheap (O(k log n)), and on LeNet-300-100's large layers 1-D
    /// Lloyd can still be moving after 100.
    public var maximumIterations: Int
    /// The seed of the random initializations (each layer draws from its own generator derived
    /// from this seed and its position).
    public var seed: UInt64
    /// Centroid fine-tuning; `nil` clusters without retraining.
    public var fineTuning: FineTuning?

    public init(
        bits: PerLayerSettings<LayerSetting>, initialization: ClusterInitialization = .linear,
        maximumIterations: Int = 300, seed: UInt64 = 0, fineTuning: FineTuning? = nil
    ) {
        self.bits = bits
        self.initialization = initialization
        self.maximumIterations = maximumIterations
        self.seed = seed
        self.fineTuning = fineTuning
    }

    enum CodingKeys: String, CodingKey { case bits, initialization, maximumIterations, seed, fineTuning }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bits = try container.decode(PerLayerSettings<LayerSetting>.self, forKey: .bits)
        initialization = try container.decodeIfPresent(ClusterInitialization.self, forKey: .initialization) ?? .linear
        maximumIterations = try container.decodeIfPresent(Int.self, forKey: .maximumIterations) ?? 300
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        fineTuning = try container.decodeIfPresent(FineTuning.self, forKey: .fineTuning)
    }

    /// Throws if a setting is out of range.
    public func validate() throws(WeightClusteringError) {
        if let setting = bits.default { try Self.check(setting, at: "the default") }
        for override in bits.layerTypes { try Self.check(override.setting, at: "layer type \(override.type)") }
        for override in bits.layers { try Self.check(override.setting, at: "layers matching \(override.pattern)") }
        guard maximumIterations >= 1 else {
            throw .invalidSetting(name: "maximumIterations", value: "\(maximumIterations)", expected: "at least 1")
        }
        if let fineTuning {
            guard fineTuning.epochs >= 0 else {
                throw .invalidSetting(name: "fineTuning.epochs", value: "\(fineTuning.epochs)", expected: "at least 0")
            }
            guard fineTuning.learningRate > 0, fineTuning.learningRate.isFinite else {
                throw .invalidSetting(
                    name: "fineTuning.learningRate", value: "\(fineTuning.learningRate)", expected: "a positive finite number")
            }
            guard fineTuning.momentum >= 0, fineTuning.momentum < 1 else {
                throw .invalidSetting(name: "fineTuning.momentum", value: "\(fineTuning.momentum)", expected: "in [0, 1)")
            }
        }
    }

    private static func check(_ setting: LayerSetting, at place: String) throws(WeightClusteringError) {
        guard (1...16).contains(setting.bits) else { throw .invalidBits(bits: setting.bits, setting: place) }
    }
}
