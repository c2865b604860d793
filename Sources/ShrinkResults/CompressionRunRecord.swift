import ShrinkMeasurement

/// One `shrink compress` run: the recipe, its steps and their time, accuracy before and after,
/// and where the output went. JSON names are snake_case and stable, like `BenchmarkRecord`'s.
public struct CompressionRunRecord: Codable, Equatable, Sendable {
    /// The schema version this library writes.
    public static let currentSchemaVersion = 1

    /// The schema version the record was written with.
    public var schemaVersion: Int
    /// The recipe's name, e.g. `deep-compression`.
    public var recipe: String
    /// The recipe exactly as run (its JSON, with command-line overrides such as the seed applied).
    public var recipeDefinition: String
    /// The input model file as given on the command line.
    public var inputPath: String
    /// The input file's SHA-256, lowercase hex (nil in records written before it was recorded).
    public var inputSHA256: String?
    /// The written model file as given on the command line.
    public var outputPath: String
    /// The written file's SHA-256, lowercase hex.
    public var outputSHA256: String
    /// The written file's size in bytes.
    public var outputBytes: Int
    /// The written file's size after gzip -9, in bytes (nil when not measured).
    public var outputGzipBytes: Int?
    /// The variant's display name: the output file's name without extension.
    public var variant: String
    /// The architecture's name, e.g. `lenet-300-100`.
    public var architecture: String
    /// Data and compute settings of the run.
    public var settings: CompressionRunSettings
    /// The steps in order, with their wall-clock seconds.
    public var steps: [CompressionStepFigures]
    /// The sum of the steps' seconds.
    public var totalSeconds: Double
    /// Test top-1 accuracy before compression, in `0...1` (nil when not measured).
    public var accuracyBefore: Double?
    /// Test top-1 accuracy after compression, in `0...1` (nil when not measured).
    public var accuracyAfter: Double?
    /// Elements of the Linear and Conv2D weight tensors.
    public var weightElements: Int
    /// Of those, the ones that are not zero.
    public var weightNonZero: Int
    /// The machine it ran on.
    public var machine: MachineDescription
    /// The code that ran it, e.g. `shrink 0.1.0`.
    public var codeVersion: String
    /// When the run finished, RFC 3339 UTC.
    public var recordedAt: String

    /// Creates a record with the current schema version; the total is the steps' sum.
    public init(recipe: String, recipeDefinition: String, inputPath: String, outputPath: String, outputSHA256: String,
                outputBytes: Int, outputGzipBytes: Int?, variant: String, architecture: String,
                settings: CompressionRunSettings, steps: [CompressionStepFigures], accuracyBefore: Double?,
                accuracyAfter: Double?, weightElements: Int, weightNonZero: Int, machine: MachineDescription,
                codeVersion: String, recordedAt: String, inputSHA256: String? = nil) {
        schemaVersion = Self.currentSchemaVersion
        self.inputSHA256 = inputSHA256
        self.recipe = recipe
        self.recipeDefinition = recipeDefinition
        self.inputPath = inputPath
        self.outputPath = outputPath
        self.outputSHA256 = outputSHA256
        self.outputBytes = outputBytes
        self.outputGzipBytes = outputGzipBytes
        self.variant = variant
        self.architecture = architecture
        self.settings = settings
        self.steps = steps
        totalSeconds = steps.map(\.seconds).reduce(0, +)
        self.accuracyBefore = accuracyBefore
        self.accuracyAfter = accuracyAfter
        self.weightElements = weightElements
        self.weightNonZero = weightNonZero
        self.machine = machine
        self.codeVersion = codeVersion
        self.recordedAt = recordedAt
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case recipe
        case recipeDefinition = "recipe_definition"
        case inputPath = "input_path"
        case inputSHA256 = "input_sha256"
        case outputPath = "output_path"
        case outputSHA256 = "output_sha256"
        case outputBytes = "output_bytes"
        case outputGzipBytes = "output_gzip_bytes"
        case variant, architecture, settings, steps
        case totalSeconds = "total_seconds"
        case accuracyBefore = "accuracy_before"
        case accuracyAfter = "accuracy_after"
        case weightElements = "weight_elements"
        case weightNonZero = "weight_non_zero"
        case machine
        case codeVersion = "code_version"
        case recordedAt = "recorded_at"
    }
}

/// The data and compute settings of a `shrink compress` run.
public struct CompressionRunSettings: Codable, Equatable, Sendable {
    /// The dataset's name, e.g. `mnist`.
    public var dataset: String
    /// Training samples used for fine-tuning and calibration.
    public var trainingSamples: Int
    /// Test samples the accuracy was measured on.
    public var testSamples: Int
    /// The `--threads` limit (nil: all processors).
    public var threads: Int?
    /// The `--seed` override of the recipe's fine-tuning seed (nil: the recipe's own).
    public var seed: UInt64?
    /// The `--shard I/N` of a sweep this run belonged to (nil when unsharded).
    public var shard: String?

    /// Creates settings.
    public init(dataset: String, trainingSamples: Int, testSamples: Int, threads: Int?, seed: UInt64?,
                shard: String? = nil) {
        self.dataset = dataset
        self.trainingSamples = trainingSamples
        self.testSamples = testSamples
        self.threads = threads
        self.seed = seed
        self.shard = shard
    }

    enum CodingKeys: String, CodingKey {
        case dataset
        case trainingSamples = "training_samples"
        case testSamples = "test_samples"
        case threads, seed, shard
    }
}
