import Foundation
import GRDB

/// One candidate a `shrink tune` search measured, as the `tuning_evaluations` table stores it.
///
/// `searchKey` names what the measurement depends on (the input model's digest, the data splits,
/// fine-tuning epochs, seed, latency batch): evaluations with the same key and signature are
/// interchangeable, which is what lets a search resume, and the shards of one search share
/// their work through `shrink results merge`. The typed columns answer SQL queries; the JSON
/// columns hold what `ShrinkTuning` reads back.
public struct TuningEvaluationRecord: Equatable, Sendable {
    /// SHA-256 (hex) of `searchJSON`.
    public var searchKey: String
    /// The candidate's stable text form, e.g. `fc1 92%/4b, fc2 91%/4b, fc3 74%/-`.
    public var signature: String
    /// ISO 8601, UTC.
    public var recordedAt: String
    /// The model's graph name.
    public var model: String
    /// The search generation it was drawn in (0: the seeds).
    public var generation: Int
    /// `I/N` when a shard evaluated it.
    public var shard: String?
    public var hostName: String
    public var codeVersion: String
    public var fileBytes: Int
    /// Top-1 of the written file on the search's validation split, as a fraction.
    public var validationTop1: Double
    public var latencySeconds: Double?
    public var compressionSeconds: Double
    /// The settings the key is the digest of (JSON).
    public var searchJSON: String
    /// The candidate and its measurement (JSON).
    public var evaluationJSON: String

    public init(searchKey: String, signature: String, recordedAt: String, model: String, generation: Int, shard: String?,
                hostName: String, codeVersion: String, fileBytes: Int, validationTop1: Double, latencySeconds: Double?,
                compressionSeconds: Double, searchJSON: String, evaluationJSON: String) {
        self.searchKey = searchKey
        self.signature = signature
        self.recordedAt = recordedAt
        self.model = model
        self.generation = generation
        self.shard = shard
        self.hostName = hostName
        self.codeVersion = codeVersion
        self.fileBytes = fileBytes
        self.validationTop1 = validationTop1
        self.latencySeconds = latencySeconds
        self.compressionSeconds = compressionSeconds
        self.searchJSON = searchJSON
        self.evaluationJSON = evaluationJSON
    }

    static let columns = [
        "search_key", "signature", "recorded_at", "model", "generation", "shard", "host_name", "code_version", "file_bytes",
        "validation_top1", "latency_seconds", "compression_seconds", "search_json", "evaluation_json",
    ]

    var values: [(any DatabaseValueConvertible)?] {
        [searchKey, signature, recordedAt, model, generation, shard, hostName, codeVersion, fileBytes, validationTop1,
         latencySeconds, compressionSeconds, searchJSON, evaluationJSON]
    }

    init(row: Row) throws {
        func required<Value: DatabaseValueConvertible>(_ column: String) throws -> Value {
            guard let value = Value.fromDatabaseValue(row[column] ?? .null) else {
                throw ResultsError.damagedRow(runID: "tuning evaluation", reason: "column \(column) is missing or of the wrong type")
            }
            return value
        }
        searchKey = try required("search_key")
        signature = try required("signature")
        recordedAt = try required("recorded_at")
        model = try required("model")
        generation = try required("generation")
        shard = String.fromDatabaseValue(row["shard"] ?? .null)
        hostName = try required("host_name")
        codeVersion = try required("code_version")
        fileBytes = try required("file_bytes")
        validationTop1 = try required("validation_top1")
        latencySeconds = Double.fromDatabaseValue(row["latency_seconds"] ?? .null)
        compressionSeconds = try required("compression_seconds")
        searchJSON = try required("search_json")
        evaluationJSON = try required("evaluation_json")
    }

    /// Whether `other` measured the same outcome: same file size and accuracy (latency and
    /// timings differ from run to run).
    func measuresTheSame(as other: TuningEvaluationRecord) -> Bool {
        fileBytes == other.fileBytes && validationTop1 == other.validationTop1
    }
}

extension ResultsStore {
    /// Records one tuning evaluation. One already stored under the same key and signature is
    /// kept when it measured the same outcome (a shard's copy of a merged database), and is an
    /// error (`ResultsError.conflictingTuningEvaluation`) when it did not.
    public func record(tuning evaluation: TuningEvaluationRecord) throws {
        try write { db in try Self.insert(evaluation, source: path, db) }
    }

    /// The evaluations stored under `searchKey`, in the order they were recorded.
    public func tuningEvaluations(searchKey: String) throws -> [TuningEvaluationRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tuning_evaluations WHERE search_key = ? ORDER BY recorded_at, rowid",
                             arguments: [searchKey]).map { try TuningEvaluationRecord(row: $0) }
        }
    }

    /// Every stored search: its key, model, settings (JSON) and number of evaluations, by model
    /// then key.
    public func tuningSearches() throws -> [(searchKey: String, model: String, searchJSON: String, evaluations: Int)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT search_key, model, min(search_json) AS search_json, count(*) AS evaluations
                FROM tuning_evaluations GROUP BY search_key ORDER BY model, search_key
                """).map { row in
                (Self.text(row, "search_key"), Self.text(row, "model"), Self.text(row, "search_json"),
                 Int.fromDatabaseValue(row["evaluations"] ?? .null) ?? 0)
            }
        }
    }

    /// Every tuning evaluation, for merging.
    func allTuningEvaluations() throws -> [TuningEvaluationRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tuning_evaluations ORDER BY search_key, recorded_at, rowid")
                .map { try TuningEvaluationRecord(row: $0) }
        }
    }

    /// Inserts `evaluation` unless the same outcome is stored; returns whether it was added.
    @discardableResult
    static func insert(_ evaluation: TuningEvaluationRecord, source: String, _ db: Database) throws -> Bool {
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM tuning_evaluations WHERE search_key = ? AND signature = ?",
                                      arguments: [evaluation.searchKey, evaluation.signature]) {
            guard try TuningEvaluationRecord(row: row).measuresTheSame(as: evaluation) else {
                throw ResultsError.conflictingTuningEvaluation(signature: evaluation.signature, source: source)
            }
            return false
        }
        let columns = TuningEvaluationRecord.columns
        try db.execute(
            sql: "INSERT INTO tuning_evaluations (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
            arguments: StatementArguments(evaluation.values))
        return true
    }
}
