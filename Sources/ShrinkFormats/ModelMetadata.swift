import Foundation

/// Typed facts about where a model file came from, stored in the manifest's `metadata` object.
///
/// There is no free-form dictionary: new facts become new optional fields (a minor format
/// version bump). Free text goes into `notes` only.
public struct ModelMetadata: Codable, Equatable, Sendable {
    /// The program that wrote the file, `shrink <version>`.
    public var producer: String
    /// When the file was created, RFC 3339 in UTC (`2026-01-31T12:00:00Z`); `nil` for
    /// reproducible files.
    public var createdAt: String?
    /// How the model was trained, when it was.
    public var training: TrainingSummary?
    /// How the model was compressed (recipe, steps and their wall-clock time), when it was.
    public var compression: CompressionSummary?
    /// Where the model was imported from, when it was (format 2.1).
    public var imported: ImportSummary?
    /// Free text for humans; not interpreted by any tool.
    public var notes: String?

    /// Creates metadata; `producer` defaults to this library's producer string.
    public init(
        producer: String = ModelMetadata.defaultProducer, createdAt: String? = nil,
        training: TrainingSummary? = nil, compression: CompressionSummary? = nil, imported: ImportSummary? = nil,
        notes: String? = nil
    ) {
        self.imported = imported
        self.producer = producer
        self.createdAt = createdAt
        self.training = training
        self.compression = compression
        self.notes = notes
    }

    /// `shrink 0.1.0`.
    public static let defaultProducer = "shrink 0.1.0"

    /// Formats `date` as an RFC 3339 UTC timestamp with whole seconds, for `createdAt`.
    public static func timestamp(for date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// A summary of the training run that produced a model.
public struct TrainingSummary: Codable, Equatable, Sendable {
    /// The dataset's name, e.g. `mnist`.
    public var dataset: String
    /// Completed epochs.
    public var epochs: Int
    /// The seed of every random choice in the run.
    public var seed: UInt64
    /// A short description of the optimizer and schedule, e.g. `sgd momentum 0.9, lr 0.05 cosine`.
    public var optimizer: String?
    /// Mean training loss over the last epoch.
    public var finalTrainingLoss: Double?
    /// Fraction of the test set classified correctly, in `0...1`.
    public var testAccuracy: Double?
    /// Wall-clock training time in seconds.
    public var trainingSeconds: Double?

    /// Creates a training summary.
    public init(
        dataset: String, epochs: Int, seed: UInt64, optimizer: String? = nil,
        finalTrainingLoss: Double? = nil, testAccuracy: Double? = nil, trainingSeconds: Double? = nil
    ) {
        self.dataset = dataset
        self.epochs = epochs
        self.seed = seed
        self.optimizer = optimizer
        self.finalTrainingLoss = finalTrainingLoss
        self.testAccuracy = testAccuracy
        self.trainingSeconds = trainingSeconds
    }
}

/// A summary of the compression pipeline that produced a model (written by `shrink compress`).
public struct CompressionSummary: Codable, Equatable, Sendable {
    /// The recipe's name, e.g. `deep-compression`.
    public var recipe: String
    /// The pipeline's steps in order, with the time each took.
    public var steps: [CompressionStepSummary]
    /// Fraction of the test set classified correctly before compression, in `0...1`.
    public var testAccuracyBefore: Double?
    /// Fraction of the test set classified correctly after the last step, in `0...1`.
    public var testAccuracyAfter: Double?

    /// The sum of the steps' seconds: the compression time of the whole pipeline (nil when a
    /// step's time is not recorded, as in reproducible files).
    public var totalSeconds: Double? {
        steps.reduce(0 as Double?) { total, step in total.flatMap { total in step.seconds.map { total + $0 } } }
    }

    /// Creates a compression summary.
    public init(recipe: String, steps: [CompressionStepSummary], testAccuracyBefore: Double? = nil,
                testAccuracyAfter: Double? = nil) {
        self.recipe = recipe
        self.steps = steps
        self.testAccuracyBefore = testAccuracyBefore
        self.testAccuracyAfter = testAccuracyAfter
    }
}

/// One step of a compression pipeline and its wall-clock time.
public struct CompressionStepSummary: Codable, Equatable, Sendable {
    /// The step's kind as recipes name it, e.g. `magnitudePruning`.
    public var kind: String
    /// A one-line description of what the step did.
    public var summary: String
    /// Wall-clock seconds the step took, fine-tuning included; nil in reproducible files
    /// (written without `--timestamp`), whose bytes must not depend on the machine's speed.
    public var seconds: Double?

    /// Creates a step summary.
    public init(kind: String, summary: String, seconds: Double?) {
        self.kind = kind
        self.summary = summary
        self.seconds = seconds
    }
}
