import Foundation
import GRDB
import ShrinkMeasurement

/// The results database: every `shrink bench` and `shrink compress` run, one SQLite file.
///
/// Each run is one row of `runs` (machine, code version, parameters, headline figures as typed
/// columns, and the full record as JSON), with `latencies` (per batch size) and
/// `compression_steps` child rows, so plain SQL answers most questions (docs/RESULTS.md).
///
/// The file uses SQLite's default rollback journal, not WAL: a results database is an artifact
/// that is copied between machines and often lives on a cluster's network file system, where
/// WAL's shared-memory index does not work, and it must be a single self-contained file when a
/// run ends (WAL leaves `-wal`/`-shm` side files). Writes are rare (one short transaction per
/// run), so WAL's concurrent readers bring nothing; concurrent writers on one machine wait for
/// each other (busy timeout) instead of failing.
public final class ResultsStore: Sendable {
    /// How to open a database.
    public enum OpenMode: Sendable {
        /// Create the file if it does not exist; upgrade an older schema.
        case createIfMissing
        /// The file must exist; upgrade an older schema.
        case existing
        /// The file must exist and be current; nothing is written.
        case readOnly
    }

    /// The database file's path.
    public let path: String
    let queue: DatabaseQueue

    /// Opens (or creates) the database at `path`. Throws `ResultsError` with a one-line reason for
    /// a missing file (unless creating), a file that is not SQLite or is damaged, an SQLite file
    /// of another program, or a database written by a newer Shrink.
    public init(path: String, mode: OpenMode = .createIfMissing) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            throw ResultsError.notADatabase(path: path, reason: "it is a directory")
        }
        if !exists, mode != .createIfMissing { throw ResultsError.missingDatabase(path: path) }
        var configuration = Configuration()
        configuration.readonly = mode == .readOnly
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(30)
        configuration.label = "ShrinkResults"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.prepare(queue, path: path, writable: mode != .readOnly)
        } catch let error as ResultsError {
            throw error
        } catch let error as DatabaseError {
            throw Self.describe(error, path: path)
        }
    }

    /// Records a benchmark run and returns its new id.
    @discardableResult
    public func record(_ record: BenchmarkRecord, id: RunID = RunID()) throws -> RunID {
        let row = try RunRow(benchmark: record, id: id)
        try write { db in try row.insert(db) }
        return id
    }

    /// Records a compression run and returns its new id.
    @discardableResult
    public func record(compression: CompressionRunRecord, id: RunID = RunID()) throws -> RunID {
        let row = try RunRow(compression: compression, id: id)
        try write { db in try row.insert(db) }
        return id
    }

    /// Records several benchmark runs in one transaction (all or none) and returns their ids.
    @discardableResult
    public func record(_ records: [BenchmarkRecord]) throws -> [RunID] {
        let rows = try records.map { try RunRow(benchmark: $0, id: RunID()) }
        try write { db in for row in rows { try row.insert(db) } }
        return rows.map { RunID($0.id) }
    }

    /// Runs matching `filter`, newest first.
    public func runs(filter: RunFilter = RunFilter()) throws -> [RunSummary] {
        var conditions = [String]()
        var arguments = StatementArguments()
        if let kind = filter.kind {
            conditions.append("kind = ?")
            _ = arguments.append(contentsOf: [kind.rawValue])
        }
        if let variant = filter.variantContaining, !variant.isEmpty {
            conditions.append("instr(lower(variant), lower(?)) > 0")
            _ = arguments.append(contentsOf: [variant])
        }
        if let architecture = filter.architecture {
            conditions.append("architecture = ?")
            _ = arguments.append(contentsOf: [architecture])
        }
        var sql = "SELECT \(RunSummary.columns) FROM runs"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY recorded_at DESC, id"
        if let limit = filter.limit { sql += " LIMIT \(max(0, limit))" }
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { try RunSummary(row: $0) }
        }
    }

    /// The number of runs stored.
    public func count() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") ?? 0 }
    }

    /// The run whose id is `idOrPrefix` or the only one starting with it (case-insensitive).
    public func run(matching idOrPrefix: String) throws -> RunSummary {
        let prefix = idOrPrefix.lowercased()
        let matches = try read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(RunSummary.columns) FROM runs WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 20",
                arguments: [prefix.count, prefix]
            ).map { try RunSummary(row: $0) }
        }
        if let exact = matches.first(where: { $0.id.rawValue == prefix }) { return exact }
        guard !prefix.isEmpty, let first = matches.first else { throw ResultsError.unknownRun(id: idOrPrefix) }
        guard matches.count == 1 else {
            throw ResultsError.ambiguousRunPrefix(prefix: idOrPrefix, matches: matches.map(\.id.rawValue))
        }
        return first
    }

    /// The stored record of run `id` as JSON text (a `BenchmarkRecord` or `CompressionRunRecord`).
    public func recordJSON(id: RunID) throws -> String {
        let json = try read { db in
            try String.fetchOne(db, sql: "SELECT record_json FROM runs WHERE id = ?", arguments: [id.rawValue])
        }
        guard let json else { throw ResultsError.unknownRun(id: id.rawValue) }
        return json
    }

    /// The stored record of run `id` parsed as JSON (what `shrink results show --json` prints);
    /// throws `ResultsError.damagedRow` when the stored text does not parse.
    public func recordObject(id: RunID) throws -> Any {
        try Self.parseJSON(try recordJSON(id: id), runID: id.rawValue)
    }

    /// The benchmark record of run `id`; throws if there is none or it is a compress run.
    public func benchmarkRecord(id: RunID) throws -> BenchmarkRecord {
        try decodeRecord(id: id, kind: .bench)
    }

    /// The compression record of run `id`; throws if there is none or it is a bench run.
    public func compressionRecord(id: RunID) throws -> CompressionRunRecord {
        try decodeRecord(id: id, kind: .compress)
    }

    private func decodeRecord<Record: Decodable>(id: RunID, kind: RunKind) throws -> Record {
        let summary = try run(matching: id.rawValue)
        guard summary.id == id else { throw ResultsError.unknownRun(id: id.rawValue) }
        guard summary.kind == kind else { throw ResultsError.wrongKind(id: id.rawValue, expected: kind, actual: summary.kind) }
        let json = try recordJSON(id: id)
        do {
            return try JSONDecoder().decode(Record.self, from: Data(json.utf8))
        } catch {
            throw ResultsError.damagedRow(runID: id.rawValue, reason: "its record JSON does not decode (\(error))")
        }
    }

    /// Runs `body` in a read transaction, mapping SQLite errors to `ResultsError`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as DatabaseError {
            throw Self.describe(error, path: path)
        }
    }

    /// Runs `body` in a write transaction (all or nothing), mapping SQLite errors to `ResultsError`.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.write(body)
        } catch let error as DatabaseError {
            throw Self.describe(error, path: path)
        }
    }

    /// A one-line `ResultsError` for an SQLite error.
    static func describe(_ error: DatabaseError, path: String) -> ResultsError {
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notADatabase(path: path, reason: message)
        default:
            return .database(path: path, reason: message)
        }
    }
}

/// Which runs `ResultsStore.runs(filter:)` returns.
public struct RunFilter: Equatable, Sendable {
    /// Only runs of this kind (nil: both).
    public var kind: RunKind?
    /// Only variants whose name contains this text, case-insensitively (nil: all).
    public var variantContaining: String?
    /// Only this architecture, e.g. `lenet-300-100` (nil: all).
    public var architecture: String?
    /// At most this many runs, newest first (nil: all).
    public var limit: Int?

    /// Creates a filter; the default matches every run.
    public init(kind: RunKind? = nil, variantContaining: String? = nil, architecture: String? = nil, limit: Int? = nil) {
        self.kind = kind
        self.variantContaining = variantContaining
        self.architecture = architecture
        self.limit = limit
    }
}
