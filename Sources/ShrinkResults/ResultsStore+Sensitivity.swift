import GRDB

/// The per-layer sensitivity analysis a `shrink tune` search started from, as the
/// `tuning_sensitivities` table stores it: under the search's key (`TuningEvaluationRecord`'s
/// `searchKey`: model, data splits, …) and the digest of the sweep's settings, so a resumed
/// search and each later round of a sharded one read it instead of measuring it again.
public struct TuningSensitivityRecord: Equatable, Sendable {
    /// SHA-256 (hex) of the search's settings, as for its evaluations.
    public var searchKey: String
    /// SHA-256 (hex) of `configurationJSON`.
    public var configurationKey: String
    /// ISO 8601, UTC.
    public var recordedAt: String
    /// The model's graph name.
    public var model: String
    public var hostName: String
    public var codeVersion: String
    /// The sweep's settings (JSON).
    public var configurationJSON: String
    /// The whole report (JSON, as `shrink sensitivity --json` prints it).
    public var reportJSON: String

    public init(searchKey: String, configurationKey: String, recordedAt: String, model: String, hostName: String,
                codeVersion: String, configurationJSON: String, reportJSON: String) {
        self.searchKey = searchKey
        self.configurationKey = configurationKey
        self.recordedAt = recordedAt
        self.model = model
        self.hostName = hostName
        self.codeVersion = codeVersion
        self.configurationJSON = configurationJSON
        self.reportJSON = reportJSON
    }

    static let columns = [
        "search_key", "configuration_key", "recorded_at", "model", "host_name", "code_version", "configuration_json", "report_json",
    ]

    var values: [(any DatabaseValueConvertible)?] {
        [searchKey, configurationKey, recordedAt, model, hostName, codeVersion, configurationJSON, reportJSON]
    }

    init(row: Row) throws {
        func required(_ column: String) throws -> String {
            guard let value = String.fromDatabaseValue(row[column] ?? .null) else {
                throw ResultsError.damagedRow(runID: "tuning sensitivity", reason: "column \(column) is missing or not text")
            }
            return value
        }
        searchKey = try required("search_key")
        configurationKey = try required("configuration_key")
        recordedAt = try required("recorded_at")
        model = try required("model")
        hostName = try required("host_name")
        codeVersion = try required("code_version")
        configurationJSON = try required("configuration_json")
        reportJSON = try required("report_json")
    }
}

extension ResultsStore {
    /// Records a search's sensitivity analysis; one already stored under the same keys is kept
    /// (the analysis is deterministic: every shard of a search measures the same one).
    public func record(sensitivity: TuningSensitivityRecord) throws {
        try write { db in try Self.insert(sensitivity, db) }
    }

    /// The sensitivity analysis stored for `searchKey` and the sweep `configurationKey`, if any.
    public func tuningSensitivity(searchKey: String, configurationKey: String) throws -> TuningSensitivityRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM tuning_sensitivities WHERE search_key = ? AND configuration_key = ?",
                             arguments: [searchKey, configurationKey]).map { try TuningSensitivityRecord(row: $0) }
        }
    }

    /// Every stored sensitivity analysis, for merging.
    func allTuningSensitivities() throws -> [TuningSensitivityRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tuning_sensitivities ORDER BY search_key, configuration_key")
                .map { try TuningSensitivityRecord(row: $0) }
        }
    }

    /// Inserts `sensitivity` unless one is stored under its keys; returns whether it was added.
    @discardableResult
    static func insert(_ sensitivity: TuningSensitivityRecord, _ db: Database) throws -> Bool {
        let columns = TuningSensitivityRecord.columns
        try db.execute(
            sql: "INSERT OR IGNORE INTO tuning_sensitivities (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
            arguments: StatementArguments(sensitivity.values))
        return db.changesCount > 0
    }
}
