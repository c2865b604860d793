import GRDB

/// The headline of one stored run: what `shrink results list` shows.
public struct RunSummary: Equatable, Sendable {
    /// The run's id.
    public var id: RunID
    /// Bench or compress.
    public var kind: RunKind
    /// When it finished, RFC 3339 UTC.
    public var recordedAt: String
    /// The variant's display name.
    public var variant: String
    /// The architecture, e.g. `lenet-300-100`.
    public var architecture: String
    /// The measured (bench) or written (compress) model file.
    public var modelPath: String
    /// The host it ran on.
    public var hostName: String
    /// The `I/N` shard of a sweep, if any.
    public var shard: String?
    /// The recipe (compress runs, and bench runs of compressed files).
    public var recipe: String?
    /// The model file's size in bytes.
    public var fileBytes: Int?
    /// Test top-1 accuracy: measured by bench, or after compression for compress runs.
    public var top1: Double?
    /// Median single-sample latency in seconds (bench runs that measured batch 1).
    public var batch1MedianSeconds: Double?
    /// Seconds the compression took (compress runs, and bench runs of compressed files).
    public var compressionSeconds: Double?

    static let columns = """
        id, kind, recorded_at, variant, architecture, model_path, host_name, shard, recipe, file_bytes,
        coalesce(top1, accuracy_after) AS top1, compression_seconds,
        (SELECT median_seconds FROM latencies WHERE run_id = runs.id AND batch_size = 1) AS batch1_median_seconds
        """

    init(row: Row) throws {
        let id = RunID(try row.required(String.self, "id", runID: "?"))
        let runID = id.rawValue
        self.id = id
        let kindText = try row.required(String.self, "kind", runID: runID)
        guard let kind = RunKind(rawValue: kindText) else {
            throw ResultsError.damagedRow(runID: runID, reason: "unknown kind \(kindText)")
        }
        self.kind = kind
        recordedAt = try row.required(String.self, "recorded_at", runID: runID)
        variant = try row.required(String.self, "variant", runID: runID)
        architecture = try row.required(String.self, "architecture", runID: runID)
        modelPath = try row.required(String.self, "model_path", runID: runID)
        hostName = try row.required(String.self, "host_name", runID: runID)
        shard = try row.optional(String.self, "shard", runID: runID)
        recipe = try row.optional(String.self, "recipe", runID: runID)
        fileBytes = try row.optional(Int.self, "file_bytes", runID: runID)
        top1 = try row.optional(Double.self, "top1", runID: runID)
        batch1MedianSeconds = try row.optional(Double.self, "batch1_median_seconds", runID: runID)
        compressionSeconds = try row.optional(Double.self, "compression_seconds", runID: runID)
    }
}

extension Row {
    /// The column's value, or an error naming the run if it is NULL or of the wrong type (GRDB's
    /// subscripts stop the process on a failed conversion; a hand-edited file must not).
    func required<Value: DatabaseValueConvertible>(_ type: Value.Type, _ column: String, runID: String) throws -> Value {
        guard let value = try optional(type, column, runID: runID) else {
            throw ResultsError.damagedRow(runID: runID, reason: "column \(column) is NULL")
        }
        return value
    }

    /// The column's value, nil when NULL, or an error naming the run if it has the wrong type.
    func optional<Value: DatabaseValueConvertible>(_ type: Value.Type, _ column: String, runID: String) throws -> Value? {
        let stored: DatabaseValue = self[column] ?? .null
        if stored.isNull { return nil }
        guard let value = Value.fromDatabaseValue(stored) else {
            throw ResultsError.damagedRow(runID: runID, reason: "column \(column) holds \(stored), not a \(Value.self)")
        }
        return value
    }
}
