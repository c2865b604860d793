import GRDB

/// What `ResultsStore.merge(from:)` did.
public struct MergeSummary: Equatable, Sendable {
    /// Runs copied into the output.
    public var added: Int
    /// Runs skipped because the output already held the identical run.
    public var alreadyPresent: Int
    /// Tuning evaluations copied into the output.
    public var tuningAdded: Int
    /// Tuning evaluations skipped because the output already held the same outcome.
    public var tuningAlreadyPresent: Int
    /// Sensitivity analyses of tuning searches copied into the output (one already there is kept).
    public var sensitivitiesAdded: Int

    /// Creates a summary.
    public init(added: Int, alreadyPresent: Int, tuningAdded: Int = 0, tuningAlreadyPresent: Int = 0, sensitivitiesAdded: Int = 0) {
        self.added = added
        self.alreadyPresent = alreadyPresent
        self.tuningAdded = tuningAdded
        self.tuningAlreadyPresent = tuningAlreadyPresent
        self.sensitivitiesAdded = sensitivitiesAdded
    }
}

extension ResultsStore {
    /// Copies every run, tuning evaluation and tuning sensitivity analysis of the databases at `paths` (e.g. the shards of a
    /// sweep or of a `shrink tune` search) into this one.
    ///
    /// Idempotent: a run whose id is already here with identical content is skipped, so merging
    /// the same shard twice keeps one copy. A run with the same id but different content is an
    /// error (`ResultsError.conflictingRun`) and nothing is written; likewise a tuning evaluation
    /// of the same search and candidate that measured another size or accuracy
    /// (`ResultsError.conflictingTuningEvaluation`). Inputs are opened read-only.
    @discardableResult
    public func merge(from paths: [String]) throws -> MergeSummary {
        var incoming = [(source: String, run: StoredRunRows)]()
        var tuning = [(source: String, evaluation: TuningEvaluationRecord)]()
        var sensitivities = [TuningSensitivityRecord]()
        for source in paths {
            let input = try ResultsStore(path: source, mode: .readOnly)
            for run in try input.allRunRows() { incoming.append((source, run)) }
            for evaluation in try input.allTuningEvaluations() { tuning.append((source, evaluation)) }
            sensitivities += try input.allTuningSensitivities()
        }
        return try write { db in
            var summary = MergeSummary(added: 0, alreadyPresent: 0)
            for (source, run) in incoming {
                if let existing = try Self.runRows(db, id: run.id) {
                    guard existing == run else { throw ResultsError.conflictingRun(id: run.id, source: source) }
                    summary.alreadyPresent += 1
                    continue
                }
                try run.insert(db)
                summary.added += 1
            }
            for (source, evaluation) in tuning {
                if try Self.insert(evaluation, source: source, db) {
                    summary.tuningAdded += 1
                } else {
                    summary.tuningAlreadyPresent += 1
                }
            }
            for sensitivity in sensitivities where try Self.insert(sensitivity, db) { summary.sensitivitiesAdded += 1 }
            return summary
        }
    }

    /// Every run with its child rows, by id.
    func allRunRows() throws -> [StoredRunRows] {
        try read { db in
            let runs = try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id")
            let latencies = Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT * FROM latencies ORDER BY run_id, batch_size"),
                                       by: { Self.text($0, "run_id") })
            let steps = Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT * FROM compression_steps ORDER BY run_id, step_index"),
                                   by: { Self.text($0, "run_id") })
            return runs.map { run in
                let id = Self.text(run, "id")
                return StoredRunRows(id: id, run: run, latencies: latencies[id] ?? [], steps: steps[id] ?? [])
            }
        }
    }

    /// One run with its child rows, if `id` is stored.
    static func runRows(_ db: Database, id: String) throws -> StoredRunRows? {
        guard let run = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]) else { return nil }
        let latencies = try Row.fetchAll(db, sql: "SELECT * FROM latencies WHERE run_id = ? ORDER BY batch_size", arguments: [id])
        let steps = try Row.fetchAll(db, sql: "SELECT * FROM compression_steps WHERE run_id = ? ORDER BY step_index", arguments: [id])
        return StoredRunRows(id: id, run: run, latencies: latencies, steps: steps)
    }

    /// A text column without GRDB's fatal conversion (a non-text value reads as its description).
    static func text(_ row: Row, _ column: String) -> String {
        let value: DatabaseValue = row[column] ?? .null
        return String.fromDatabaseValue(value) ?? value.description
    }
}

/// A stored run exactly as its rows are: what merging copies and compares.
struct StoredRunRows: Equatable {
    var id: String
    var run: Row
    var latencies: [Row]
    var steps: [Row]

    /// Inserts the rows unchanged (same schema version on both sides).
    func insert(_ db: Database) throws {
        try Self.insert(run, into: "runs", db)
        for row in latencies { try Self.insert(row, into: "latencies", db) }
        for row in steps { try Self.insert(row, into: "compression_steps", db) }
    }

    private static func insert(_ row: Row, into table: String, _ db: Database) throws {
        let names = Array(row.columnNames)
        let quoted = names.map { "\"\($0)\"" }.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        try db.execute(sql: "INSERT INTO \(table) (\(quoted)) VALUES (\(placeholders))",
                       arguments: StatementArguments(Array(row.databaseValues)))
    }
}
