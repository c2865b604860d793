import ShrinkCompression

/// One point of the tuner's search space: per weight layer, the fraction of its output units
/// (filters) removed by structured pruning (0: none), the fraction of its remaining weights
/// pruned by magnitude (0: none) and how the weights left are stored (binary16, a k-means
/// palette or integer codes). Every candidate becomes the same pipeline (Deep Compression's
/// stages with per-layer values, after structured pruning): structured L1 pruning with
/// fine-tuning, iterative magnitude pruning with fine-tuning, weight sharing with centroid
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
        /// Fraction of the layer's output units (filters) removed by structured L1 pruning, in
        /// [0, 1): the layer and every reader of those units really shrink.
        public var unitsRemoved: Double
        /// Fraction of the layer's (remaining) weights set to zero by magnitude, in [0, 1).
        public var sparsity: Double
        public var coding: Coding

        public init(layer: String, unitsRemoved: Double = 0, sparsity: Double, coding: Coding) {
            self.layer = layer
            self.unitsRemoved = unitsRemoved
            self.sparsity = sparsity
            self.coding = coding
        }

        enum CodingKeys: String, CodingKey { case layer, unitsRemoved, sparsity, coding }

        /// Reads settings recorded before structured pruning joined the search (no
        /// `unitsRemoved`: none removed).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            layer = try container.decode(String.self, forKey: .layer)
            unitsRemoved = try container.decodeIfPresent(Double.self, forKey: .unitsRemoved) ?? 0
            sparsity = try container.decode(Double.self, forKey: .sparsity)
            coding = try container.decode(Coding.self, forKey: .coding)
        }

        /// `fc1 92%/6b`; with units removed `fc1 50%u 92%/6b`.
        var signature: String {
            "\(layer) " + (unitsRemoved > 0 ? "\(TuningCandidate.percent(unitsRemoved))%u " : "")
                + "\(TuningCandidate.percent(sparsity))%/\(coding.signature)"
        }

        /// `fc1 92%`; with units removed `fc1 50%u 92%`.
        var pruningSignature: String {
            "\(layer) " + (unitsRemoved > 0 ? "\(TuningCandidate.percent(unitsRemoved))%u " : "") + "\(TuningCandidate.percent(sparsity))%"
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

    /// A stable key: `fc1 92%/6b, fc2 91%/i8, fc3 74%/-`, with ` +kd` when it distills; a layer
    /// that loses units shows their fraction first (`fc1 50%u 80%/i8`: half its units removed,
    /// then 80 % of the weights left pruned, 8-bit codes).
    public var signature: String {
        layers.map(\.signature).joined(separator: ", ") + (distills ? " +kd" : "")
    }

    /// The pruning part alone (`fc1 92%, fc2 91%, fc3 74%`): candidates that share it share the
    /// pruned and fine-tuned weights their later steps start from.
    public var pruningSignature: String {
        layers.map(\.pruningSignature).joined(separator: ", ") + (distills ? " +kd" : "")
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
            description: "found by shrink tune: "
                + (layers.contains { $0.unitsRemoved > 0 } ? "per-layer structured L1 pruning (\(fineTuneEpochs) fine-tuning epochs), " : "")
                + "per-layer magnitude pruning (3 iterations, \(fineTuneEpochs) fine-tuning epochs each), "
                + "k-means weight sharing with centroid fine-tuning, weight-only integer codes, binary16 storage"
                + (distills ? ", every fine-tuning distilled from the original model (T = 4, label weight 0.3)" : "") + "; \(signature)",
            fineTuning: FineTuningOverrides(learningRate: learningRate, schedule: .cosine(minimum: 0), seed: seed,
                                            distillation: distills ? Self.distillation : nil),
            steps: pruningSteps(fineTuneEpochs: fineTuneEpochs, learningRate: learningRate) + codingSteps)
    }

    /// Structured pruning of the layers losing units, then magnitude pruning of the layers with
    /// a sparsity (each step only when some layer asks for it).
    func pruningSteps(fineTuneEpochs: Int, learningRate: Float) -> [RecipeStep] {
        var steps = [RecipeStep]()
        let narrowed = layers.filter { $0.unitsRemoved > 0 }
        if !narrowed.isEmpty {
            steps.append(.structuredPruning(StructuredPruningConfiguration(
                layers: PerLayerSettings(default: nil, layers: narrowed.map { .init(pattern: NamePattern($0.layer), setting: $0.unitsRemoved) }),
                fineTuneEpochs: fineTuneEpochs, learningRate: learningRate)))
        }
        let pruned = layers.filter { $0.sparsity > 0 }
        guard !pruned.isEmpty else { return steps }
        return steps + [.magnitudePruning(MagnitudePruningConfiguration(
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
    /// Fractions of output units (filters) structured pruning may remove, increasing, the first
    /// 0; only layers whose units can be removed alone move along them (not the final
    /// classifier, not layers tied to others by a residual add).
    public var unitFractions: [Double]
    /// Palette bits, decreasing (fewer bits is more aggressive).
    public var bits: [Int]
    /// Integer code bits, decreasing; the search uses them when latency is measured (integer
    /// codes run on integer kernels; for size alone palettes of the same bits keep more accuracy).
    public var integerBits: [Int]
    /// Whether candidates may distill from the original model while fine-tuning (a way to back
    /// off that keeps the compression).
    public var distillation: Bool

    public init(sparsities: [Double] = [0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98],
                unitFractions: [Double] = [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75],
                bits: [Int] = [8, 7, 6, 5, 4, 3, 2], integerBits: [Int] = [8, 4], distillation: Bool = true) {
        self.sparsities = sparsities
        self.unitFractions = unitFractions
        self.bits = bits
        self.integerBits = integerBits
        self.distillation = distillation
    }

    /// The grid sparsity nearest below `value` (the largest not above it).
    func sparsity(atMost value: Double) -> Double {
        sparsities.last { $0 <= value + 1e-9 } ?? sparsities[0]
    }

    /// The grid fraction of units nearest below `value` (the largest not above it).
    func unitFraction(atMost value: Double) -> Double {
        unitFractions.last { $0 <= value + 1e-9 } ?? unitFractions.first ?? 0
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
