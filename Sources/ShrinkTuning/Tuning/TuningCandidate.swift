import ShrinkCompression

/// One point of the tuner's search space: per weight layer, the fraction of its weights pruned
/// by magnitude (0: none) and how its remaining weights are stored (binary16, a k-means palette
/// or integer codes). Every candidate becomes the same pipeline (Deep Compression's stages with
/// per-layer values): iterative magnitude pruning with fine-tuning, weight sharing with centroid
/// fine-tuning and weight-only integer quantization where asked, then binary16 storage of
/// everything else.
public struct TuningCandidate: Codable, Hashable, Sendable {
    /// How one layer's remaining weights are stored.
    public enum Coding: Codable, Hashable, Sendable {
        /// binary16 values.
        case float16
        /// Indices of `bits` bits into at most 2^bits shared values (k-means, centroid fine-tuning).
        case palette(bits: Int)
        /// Signed symmetric per-channel integer codes of `bits` bits (min-max, no retraining),
        /// which the runtime multiplies directly with activations quantized per row.
        case integer(bits: Int)

        /// The bits per stored weight (16 for binary16).
        public var bits: Int {
            switch self {
            case .float16: 16
            case let .palette(bits), let .integer(bits): bits
            }
        }

        /// `4b` (palette), `i8` (integer), `-` (binary16).
        public var signature: String {
            switch self {
            case .float16: "-"
            case let .palette(bits): "\(bits)b"
            case let .integer(bits): "i\(bits)"
            }
        }
    }

    /// The setting of one layer.
    public struct LayerSetting: Codable, Hashable, Sendable {
        public var layer: String
        /// Fraction of the layer's weights set to zero, in [0, 1).
        public var sparsity: Double
        public var coding: Coding

        public init(layer: String, sparsity: Double, coding: Coding) {
            self.layer = layer
            self.sparsity = sparsity
            self.coding = coding
        }
    }

    /// In the model's execution order.
    public var layers: [LayerSetting]
    /// Whether every fine-tuning learns from the original model too (knowledge distillation,
    /// `TuningCandidate.distillation`) rather than from the labels alone.
    public var distills: Bool

    public init(layers: [LayerSetting], distills: Bool = false) {
        self.layers = layers
        self.distills = distills
    }

    enum CodingKeys: String, CodingKey { case layers, distills }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        layers = try container.decode([LayerSetting].self, forKey: .layers)
        distills = try container.decodeIfPresent(Bool.self, forKey: .distills) ?? false
    }

    /// The distillation of candidates that distill: temperature 4, labels' weight 0.3.
    public static let distillation = FineTuningDistillation(temperature: 4, hardWeight: 0.3)

    /// A stable key: `fc1 92%/6b, fc2 91%/i8, fc3 74%/-`, with ` +kd` when it distills.
    public var signature: String {
        layers.map { "\($0.layer) \(Self.percent($0.sparsity))%/\($0.coding.signature)" }.joined(separator: ", ")
            + (distills ? " +kd" : "")
    }

    /// The pruning part alone (`fc1 92%, fc2 91%, fc3 74%`): candidates that share it share the
    /// pruned and fine-tuned weights their later steps start from.
    public var pruningSignature: String {
        layers.map { "\($0.layer) \(Self.percent($0.sparsity))%" }.joined(separator: ", ") + (distills ? " +kd" : "")
    }

    static func percent(_ fraction: Double) -> String {
        let value = (fraction * 1000).rounded() / 10
        return value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The recipe that compresses a model to this candidate; `shrink compress --recipe` runs it.
    /// - Parameters:
    ///   - fineTuneEpochs: epochs of fine-tuning after each of the 3 pruning iterations.
    ///   - learningRate: their starting learning rate (cosine schedule to 0).
    ///   - seed: the fine-tuning shuffle seed.
    public func recipe(name: String = "tuned", fineTuneEpochs: Int, learningRate: Float = 0.02, seed: UInt64) -> Recipe {
        Recipe(
            name: name,
            description: "found by shrink tune: per-layer magnitude pruning (3 iterations, \(fineTuneEpochs) fine-tuning epochs each), "
                + "k-means weight sharing with centroid fine-tuning, weight-only integer codes, binary16 storage"
                + (distills ? ", every fine-tuning distilled from the original model (T = 4, label weight 0.3)" : "") + "; \(signature)",
            fineTuning: FineTuningOverrides(learningRate: learningRate, schedule: .cosine(minimum: 0), seed: seed,
                                            distillation: distills ? Self.distillation : nil),
            steps: pruningSteps(fineTuneEpochs: fineTuneEpochs, learningRate: learningRate) + codingSteps)
    }

    /// Magnitude pruning of the layers with a sparsity (none when no layer is pruned).
    func pruningSteps(fineTuneEpochs: Int, learningRate: Float) -> [RecipeStep] {
        let pruned = layers.filter { $0.sparsity > 0 }
        guard !pruned.isEmpty else { return [] }
        return [.magnitudePruning(MagnitudePruningConfiguration(
            method: .layerSparsity,
            layers: PerLayerSettings(default: nil, layers: pruned.map { .init(pattern: NamePattern($0.layer), setting: $0.sparsity) }),
            schedule: .iterative(iterations: 3, spacing: .geometric), fineTuneEpochs: fineTuneEpochs, learningRate: learningRate))]
    }

    /// What follows pruning: weight sharing, integer codes, binary16 storage of the rest.
    var codingSteps: [RecipeStep] {
        var steps = [RecipeStep]()
        let palettes = layers.compactMap { setting -> PerLayerSettings<WeightClusteringConfiguration.LayerSetting>.NameOverride? in
            guard case let .palette(bits) = setting.coding else { return nil }
            return .init(pattern: NamePattern(setting.layer), setting: .init(bits: bits))
        }
        if !palettes.isEmpty {
            steps.append(.weightClustering(WeightClusteringConfiguration(
                bits: PerLayerSettings(default: nil, layers: palettes), fineTuning: .init(epochs: 1, learningRate: 0.00001))))
        }
        let integers = layers.compactMap { setting -> PerLayerSettings<QuantizationScheme>.NameOverride? in
            guard case let .integer(bits) = setting.coding else { return nil }
            return .init(pattern: NamePattern(setting.layer), setting: .weights(bits: bits))
        }
        if !integers.isEmpty {
            steps.append(.weightQuantization(WeightQuantizationStep.Configuration(layers: PerLayerSettings(default: nil, layers: integers))))
        }
        // Integer-coded layers keep their codes' exact values (and a float32 bias).
        let skipped = layers.filter { if case .integer = $0.coding { true } else { false } }.map { NamePattern($0.layer) }
        steps.append(.float16(Float16Step.Configuration(layers: PerLayerSettings(default: .init(), skip: skipped))))
        return steps
    }
}

/// The values the search may give each layer.
public struct TuningSpace: Codable, Equatable, Sendable {
    /// Sparsities, increasing, the first 0.
    public var sparsities: [Double]
    /// Palette bits, decreasing (fewer bits is more aggressive).
    public var bits: [Int]
    /// Integer code bits, decreasing; the search uses them when latency is measured (integer
    /// codes run on integer kernels; for size alone palettes of the same bits keep more accuracy).
    public var integerBits: [Int]
    /// Whether candidates may distill from the original model while fine-tuning (a way to back
    /// off that keeps the compression).
    public var distillation: Bool

    public init(sparsities: [Double] = [0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98],
                bits: [Int] = [8, 7, 6, 5, 4, 3, 2], integerBits: [Int] = [8, 4], distillation: Bool = true) {
        self.sparsities = sparsities
        self.bits = bits
        self.integerBits = integerBits
        self.distillation = distillation
    }

    /// The grid sparsity nearest below `value` (the largest not above it).
    func sparsity(atMost value: Double) -> Double {
        sparsities.last { $0 <= value + 1e-9 } ?? sparsities[0]
    }

    /// The grid width nearest above `value` (the smallest not below it) among `widths`.
    static func width(atLeast value: Int, in widths: [Int]) -> Int {
        widths.last { $0 >= value } ?? widths[0]
    }

    /// The codings of one family from least to most aggressive: binary16, then the palette (or
    /// integer) widths.
    func ladder(integer: Bool) -> [TuningCandidate.Coding] {
        [.float16] + (integer ? integerBits.map { .integer(bits: $0) } : bits.map { .palette(bits: $0) })
    }
}
