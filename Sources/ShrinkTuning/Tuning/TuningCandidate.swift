import ShrinkCompression

/// One point of the tuner's search space: per weight layer, the fraction of its weights pruned
/// by magnitude (0: none) and the bits of its k-means palette (nil: not clustered). Every
/// candidate becomes the same pipeline (Deep Compression's stages with per-layer values):
/// iterative magnitude pruning with fine-tuning, weight sharing with centroid fine-tuning, then
/// binary16 storage of centroids, remaining weights and biases.
public struct TuningCandidate: Codable, Hashable, Sendable {
    /// The setting of one layer.
    public struct LayerSetting: Codable, Hashable, Sendable {
        public var layer: String
        /// Fraction of the layer's weights set to zero, in [0, 1).
        public var sparsity: Double
        /// Bits of the layer's palette indices (at most 2^bits shared values), or nil.
        public var bits: Int?

        public init(layer: String, sparsity: Double, bits: Int?) {
            self.layer = layer
            self.sparsity = sparsity
            self.bits = bits
        }
    }

    /// In the model's execution order.
    public var layers: [LayerSetting]

    public init(layers: [LayerSetting]) {
        self.layers = layers
    }

    /// A stable key: `fc1 92%/6b, fc2 91%/6b, fc3 74%/-`.
    public var signature: String {
        layers.map { "\($0.layer) \(Self.percent($0.sparsity))%/\($0.bits.map { "\($0)b" } ?? "-")" }.joined(separator: ", ")
    }

    static func percent(_ fraction: Double) -> String {
        let value = (fraction * 1000).rounded() / 10
        return value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The recipe that compresses a model to this candidate; `shrink compress --recipe` runs it.
    /// - Parameters:
    ///   - fineTuneEpochs: epochs of fine-tuning after each of the 3 pruning iterations.
    ///   - seed: the fine-tuning shuffle seed.
    public func recipe(name: String = "tuned", fineTuneEpochs: Int, seed: UInt64) -> Recipe {
        let pruned = layers.filter { $0.sparsity > 0 }
        let clustered = layers.filter { $0.bits != nil }
        var steps = [RecipeStep]()
        if !pruned.isEmpty {
            steps.append(.magnitudePruning(MagnitudePruningConfiguration(
                method: .layerSparsity,
                layers: PerLayerSettings(default: nil, layers: pruned.map { .init(pattern: NamePattern($0.layer), setting: $0.sparsity) }),
                schedule: .iterative(iterations: 3, spacing: .geometric), fineTuneEpochs: fineTuneEpochs, learningRate: 0.02)))
        }
        if !clustered.isEmpty {
            steps.append(.weightClustering(WeightClusteringConfiguration(
                bits: PerLayerSettings(default: nil, layers: clustered.map { .init(pattern: NamePattern($0.layer), setting: .init(bits: $0.bits!)) }),
                fineTuning: .init(epochs: 1, learningRate: 0.00001))))
        }
        steps.append(.float16(Float16Step.Configuration()))
        return Recipe(
            name: name,
            description: "found by shrink tune: per-layer magnitude pruning (3 iterations, \(fineTuneEpochs) fine-tuning epochs each), "
                + "k-means weight sharing with centroid fine-tuning, binary16 storage; \(signature)",
            fineTuning: FineTuningOverrides(learningRate: 0.02, schedule: .cosine(minimum: 0), seed: seed),
            steps: steps)
    }
}

/// The values the search may give each layer.
public struct TuningSpace: Codable, Equatable, Sendable {
    /// Sparsities, increasing, the first 0.
    public var sparsities: [Double]
    /// Palette bits, decreasing (fewer bits is more aggressive).
    public var bits: [Int]

    public init(sparsities: [Double] = [0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98],
                bits: [Int] = [8, 7, 6, 5, 4, 3, 2]) {
        self.sparsities = sparsities
        self.bits = bits
    }

    /// The grid sparsity nearest below `value` (the largest not above it).
    func sparsity(atMost value: Double) -> Double {
        sparsities.last { $0 <= value + 1e-9 } ?? sparsities[0]
    }

    /// The grid width nearest above `value` (the smallest not below it).
    func bits(atLeast value: Int) -> Int {
        bits.last { $0 >= value } ?? bits[0]
    }
}
