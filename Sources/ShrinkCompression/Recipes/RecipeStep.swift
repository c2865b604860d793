/// One step of a recipe: a technique and its typed configuration. In JSON, an object with
/// exactly one key naming the technique: `{"weightClustering": {"bits": {"default": {"bits": 5}}}}`.
public enum RecipeStep: Codable, Equatable, Sendable {
    case magnitudePruning(MagnitudePruningConfiguration)
    case structuredPruning(StructuredPruningConfiguration)
    case float16(Float16Step.Configuration)
    case weightQuantization(WeightQuantizationStep.Configuration)
    case int8Dynamic(Int8DynamicQuantizationStep.Configuration)
    case int8Static(Int8StaticQuantizationStep.Configuration)
    case quantizationAwareTraining(QuantizationAwareTrainingStep.Configuration)
    case weightClustering(WeightClusteringConfiguration)
    case distillation(DistillationConfiguration)

    /// The JSON key of every technique, in declaration order.
    public static let kinds = [
        "magnitudePruning", "structuredPruning", "float16", "weightQuantization", "int8Dynamic", "int8Static",
        "quantizationAwareTraining", "weightClustering", "distillation",
    ]

    /// This step's JSON key.
    public var kind: String {
        switch self {
        case .magnitudePruning: "magnitudePruning"
        case .structuredPruning: "structuredPruning"
        case .float16: "float16"
        case .weightQuantization: "weightQuantization"
        case .int8Dynamic: "int8Dynamic"
        case .int8Static: "int8Static"
        case .quantizationAwareTraining: "quantizationAwareTraining"
        case .weightClustering: "weightClustering"
        case .distillation: "distillation"
        }
    }

    /// Whether the step trains on labelled data (fine-tuning after pruning or clustering,
    /// quantization-aware training, distillation). A step whose fine-tuning epochs are left to
    /// the recipe's defaults counts as training. Post-training steps (fp16, weight-only, int8
    /// dynamic and static) only read inputs, for calibration.
    public var trainsWithLabels: Bool {
        switch self {
        case let .magnitudePruning(configuration): configuration.fineTuneEpochs != 0
        case let .structuredPruning(configuration): configuration.fineTuneEpochs != 0
        case let .weightClustering(configuration): configuration.fineTuning != nil
        case .quantizationAwareTraining, .distillation: true
        case .float16, .weightQuantization, .int8Dynamic, .int8Static: false
        }
    }

    /// Whether the step quantizes activations, so that its accuracy is measured on the
    /// simulated quantized network.
    public var quantizesActivations: Bool {
        switch self {
        case .int8Dynamic, .int8Static, .quantizationAwareTraining: true
        default: false
        }
    }

    struct StepKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Raised (inside a `DecodingError`) when the step's key is not a known technique; the
    /// recipe decoder turns it into `RecipeError.unknownStepKind`.
    struct UnknownKind: Error {
        var kind: String
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: StepKey.self)
        let keys = container.allKeys
        guard keys.count == 1, let key = keys.first else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "a step is an object with exactly one key naming its technique (\(Self.kinds.joined(separator: ", "))), found \(keys.count) keys"))
        }
        switch key.stringValue {
        case "magnitudePruning": self = .magnitudePruning(try container.decode(MagnitudePruningConfiguration.self, forKey: key))
        case "structuredPruning": self = .structuredPruning(try container.decode(StructuredPruningConfiguration.self, forKey: key))
        case "float16": self = .float16(try container.decode(Float16Step.Configuration.self, forKey: key))
        case "weightQuantization": self = .weightQuantization(try container.decode(WeightQuantizationStep.Configuration.self, forKey: key))
        case "int8Dynamic": self = .int8Dynamic(try container.decode(Int8DynamicQuantizationStep.Configuration.self, forKey: key))
        case "int8Static": self = .int8Static(try container.decode(Int8StaticQuantizationStep.Configuration.self, forKey: key))
        case "quantizationAwareTraining":
            self = .quantizationAwareTraining(try container.decode(QuantizationAwareTrainingStep.Configuration.self, forKey: key))
        case "weightClustering": self = .weightClustering(try container.decode(WeightClusteringConfiguration.self, forKey: key))
        case "distillation": self = .distillation(try container.decode(DistillationConfiguration.self, forKey: key))
        default: throw UnknownKind(kind: key.stringValue)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: StepKey.self)
        let key = StepKey(stringValue: kind)
        switch self {
        case let .magnitudePruning(configuration): try container.encode(configuration, forKey: key)
        case let .structuredPruning(configuration): try container.encode(configuration, forKey: key)
        case let .float16(configuration): try container.encode(configuration, forKey: key)
        case let .weightQuantization(configuration): try container.encode(configuration, forKey: key)
        case let .int8Dynamic(configuration): try container.encode(configuration, forKey: key)
        case let .int8Static(configuration): try container.encode(configuration, forKey: key)
        case let .quantizationAwareTraining(configuration): try container.encode(configuration, forKey: key)
        case let .weightClustering(configuration): try container.encode(configuration, forKey: key)
        case let .distillation(configuration): try container.encode(configuration, forKey: key)
        }
    }

    /// Runs the configuration's `validate()`; the error's one-line description is returned in
    /// the thrown `RecipeError.invalidStep` with this step's index.
    public func validate(index: Int) throws(RecipeError) {
        do {
            switch self {
            case let .magnitudePruning(configuration): try configuration.validate()
            case let .structuredPruning(configuration): try configuration.validate()
            case let .float16(configuration): try configuration.validate()
            case let .weightQuantization(configuration): try configuration.validate()
            case let .int8Dynamic(configuration): try configuration.validate()
            case let .int8Static(configuration): try configuration.validate()
            case let .quantizationAwareTraining(configuration): try configuration.validate()
            case let .weightClustering(configuration): try configuration.validate()
            case let .distillation(configuration): try configuration.validate()
            }
        } catch {
            throw .invalidStep(index: index, kind: kind, reason: String(describing: error))
        }
    }

    /// The pipeline step that runs this configuration.
    public func makeStep() throws -> any CompressionStep {
        switch self {
        case let .magnitudePruning(configuration): try MagnitudePruningStep(configuration: configuration)
        case let .structuredPruning(configuration): try StructuredPruningStep(configuration: configuration)
        case let .float16(configuration): Float16Step(configuration: configuration)
        case let .weightQuantization(configuration): WeightQuantizationStep(configuration: configuration)
        case let .int8Dynamic(configuration): Int8DynamicQuantizationStep(configuration: configuration)
        case let .int8Static(configuration): Int8StaticQuantizationStep(configuration: configuration)
        case let .quantizationAwareTraining(configuration): QuantizationAwareTrainingStep(configuration: configuration)
        case let .weightClustering(configuration): WeightClusteringStep(configuration: configuration)
        case let .distillation(configuration): DistillationStep(configuration: configuration)
        }
    }
}
