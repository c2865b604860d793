import Foundation
import ShrinkBenchmarking
import ShrinkData
import ShrinkMeasurement
import ShrinkResults

/// The evaluations of a tuning search, kept in the results database (`tuning_evaluations`) as
/// they finish: a search that is interrupted and started again with the same database reuses
/// them, and so takes the same decisions and ends with the same result as one that was not
/// interrupted; the shards of one search record into their own databases, and after
/// `shrink results merge` each shard (or one process) continues from all of their evaluations.
///
/// Evaluations are stored under the digest of `Header`, what a measurement depends on, so they
/// are reused only by a search of the same model, splits, fine-tuning budget, seed and latency
/// batch, whatever its constraints.
public struct TuningJournal {
    /// What must be equal for evaluations to be reused.
    public struct Header: Codable, Equatable, Sendable {
        public var model: String
        /// SHA-256 of the input model file's bytes.
        public var modelDigest: String
        public var trainingSamples: Int
        public var validationSamples: Int
        public var fineTuneEpochs: Int
        public var fineTuneLearningRate: Float
        public var seed: UInt64
        public var batchSize: Int
        public var measuresLatency: Bool
        /// Threads the runtime used, when latency is measured (it depends on them).
        public var latencyThreads: Int?

        public init(model: String, modelDigest: String, trainingSamples: Int, validationSamples: Int, fineTuneEpochs: Int,
                    fineTuneLearningRate: Float = 0.02, seed: UInt64, batchSize: Int, measuresLatency: Bool, latencyThreads: Int? = nil) {
            self.model = model
            self.modelDigest = modelDigest
            self.trainingSamples = trainingSamples
            self.validationSamples = validationSamples
            self.fineTuneEpochs = fineTuneEpochs
            self.fineTuneLearningRate = fineTuneLearningRate
            self.seed = seed
            self.batchSize = batchSize
            self.measuresLatency = measuresLatency
            self.latencyThreads = latencyThreads
        }

        enum CodingKeys: String, CodingKey {
            case model, seed
            case modelDigest = "model_sha256", trainingSamples = "training_samples", validationSamples = "validation_samples",
                 fineTuneEpochs = "fine_tune_epochs", fineTuneLearningRate = "fine_tune_learning_rate", batchSize = "batch_size", measuresLatency = "measures_latency",
                 latencyThreads = "latency_threads"
        }

        /// The header as stored (sorted keys) and its SHA-256, the search key.
        func keyed() throws -> (json: String, key: String) {
            try TuningJournal.keyed(self)
        }
    }

    public let store: ResultsStore
    public let header: Header
    /// The digest of `header` the evaluations are stored under.
    public let searchKey: String
    let headerJSON: String
    /// `I/N` recorded with each evaluation when a shard runs the search.
    public let shard: String?
    let hostName: String, codeVersion: String
    /// The evaluations of this search already stored when the journal was opened, by signature.
    public private(set) var evaluations: [String: TuningEvaluation] = [:]

    /// Opens the evaluations of the search `header` describes in `store`.
    public init(store: ResultsStore, header: Header, shard: String? = nil) throws {
        self.store = store
        self.header = header
        self.shard = shard
        (headerJSON, searchKey) = try header.keyed()
        hostName = MachineDescription.current().hostName
        codeVersion = CodeVersion.current()
        let decoder = JSONDecoder()
        for record in try store.tuningEvaluations(searchKey: searchKey) {
            guard let evaluation = try? decoder.decode(TuningEvaluation.self, from: Data(record.evaluationJSON.utf8)),
                  evaluation.signature == record.signature else {
                throw TuningError.unreadableEvaluation(path: store.path, signature: record.signature)
            }
            evaluations[record.signature] = evaluation
        }
    }

    /// Records one evaluation (one transaction: it is either stored whole or not at all).
    public mutating func append(_ evaluation: TuningEvaluation, generation: Int) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let formatter = ISO8601DateFormatter()
        try store.record(tuning: TuningEvaluationRecord(
            searchKey: searchKey, signature: evaluation.signature, recordedAt: formatter.string(from: Date()), model: header.model,
            generation: generation, shard: shard, hostName: hostName, codeVersion: codeVersion,
            fileBytes: evaluation.measurement.fileBytes, validationTop1: evaluation.measurement.validationAccuracy,
            latencySeconds: evaluation.measurement.latencySeconds, compressionSeconds: evaluation.measurement.compressionSeconds,
            searchJSON: headerJSON, evaluationJSON: String(decoding: try encoder.encode(evaluation), as: UTF8.self)))
        evaluations[evaluation.signature] = evaluation
    }
}

extension TuningJournal {
    /// `value` as stored (JSON, sorted keys) and its SHA-256: a search's key, a sweep's key.
    static func keyed(_ value: some Encodable) throws -> (json: String, key: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(value)
        return (String(decoding: json, as: UTF8.self), SHA256.hexDigest(Array(json)))
    }

    /// The sensitivity analysis of this search with `configuration`, when one is stored (nil
    /// also when the stored one does not decode: it is then measured again).
    public func sensitivity(_ configuration: SensitivityConfiguration) throws -> SensitivityReport? {
        let key = try Self.keyed(configuration).key
        guard let record = try store.tuningSensitivity(searchKey: searchKey, configurationKey: key),
              let report = try? JSONDecoder().decode(SensitivityReport.self, from: Data(record.reportJSON.utf8)),
              report.configuration == configuration else { return nil }
        return report
    }

    /// Records the sensitivity analysis of this search.
    public func record(_ report: SensitivityReport) throws {
        let (configurationJSON, key) = try Self.keyed(report.configuration)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try store.record(sensitivity: TuningSensitivityRecord(
            searchKey: searchKey, configurationKey: key, recordedAt: ISO8601DateFormatter().string(from: Date()), model: header.model,
            hostName: hostName, codeVersion: codeVersion, configurationJSON: configurationJSON,
            reportJSON: String(decoding: try encoder.encode(report), as: UTF8.self)))
    }
}

/// Why a tuning run cannot go on.
public enum TuningError: Error, Equatable, CustomStringConvertible {
    case unreadableEvaluation(path: String, signature: String)
    case nothingToResume(path: String, otherSearches: Int)
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .unreadableEvaluation(path, signature):
            "tune: the evaluation of \(signature) in \(path) does not decode (damaged, or written by another Shrink)"
        case let .nothingToResume(path, otherSearches):
            "tune: --resume: \(path) holds no evaluation of this search"
                + (otherSearches > 0
                    ? " (it holds \(otherSearches) other search\(otherSearches == 1 ? "" : "es"): another model file, split, seed, fine-tuning budget or latency batch)"
                    : "")
        case let .invalidSetting(message): "tune: \(message)"
        }
    }
}
