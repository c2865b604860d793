/// Why the results store could not do what was asked; each case prints as one clear line.
public enum ResultsError: Error, CustomStringConvertible, Equatable {
    /// No database exists at the path (and the command does not create one).
    case missingDatabase(path: String)
    /// The file is not an SQLite database, or SQLite found it damaged.
    case notADatabase(path: String, reason: String)
    /// The file is an SQLite database but not one Shrink wrote.
    case foreignDatabase(path: String)
    /// The database was written by a newer Shrink, whose schema this one does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// A stored row or record could not be read back (damaged or hand-edited).
    case damagedRow(runID: String, reason: String)
    /// No run has this id (or id prefix).
    case unknownRun(id: String)
    /// Several runs start with this prefix.
    case ambiguousRunPrefix(prefix: String, matches: [String])
    /// A run with this id already exists with different content (merging unrelated databases).
    case conflictingRun(id: String, source: String)
    /// A tuning evaluation stored under the same search and candidate measured another outcome.
    case conflictingTuningEvaluation(signature: String, source: String)
    /// A run of another kind was asked for, e.g. a benchmark record of a compress run.
    case wrongKind(id: String, expected: RunKind, actual: RunKind)
    /// A `--shard I/N` value that does not parse or is out of range.
    case invalidShard(text: String, reason: String)
    /// An SQLite error with the path it happened on.
    case database(path: String, reason: String)
    /// Writing an export or a record's JSON failed.
    case encoding(reason: String)

    public var description: String {
        switch self {
        case let .missingDatabase(path):
            return "no results database at \(path) (record a run with shrink bench or shrink compress, or pass --database PATH)"
        case let .notADatabase(path, reason):
            return "\(path) is not a readable Shrink results database: \(reason)"
        case let .foreignDatabase(path):
            return "\(path) is an SQLite database but not a Shrink results database (it has other tables); refusing to change it"
        case let .newerSchema(path, unknownMigrations):
            return "\(path) was written by a newer Shrink (schema steps \(unknownMigrations.joined(separator: ", ")) are unknown to this version); use a newer shrink to read it"
        case let .damagedRow(runID, reason):
            return "run \(runID) in the results database is damaged: \(reason)"
        case let .unknownRun(id):
            return "no run with id \(id) in the results database"
        case let .ambiguousRunPrefix(prefix, matches):
            return "run id prefix \(prefix) matches \(matches.count) runs (\(matches.prefix(5).joined(separator: ", "))\(matches.count > 5 ? ", …" : "")); give more characters"
        case let .conflictingRun(id, source):
            return "run \(id) from \(source) differs from the run with the same id already in the output database; not merging unrelated copies"
        case let .conflictingTuningEvaluation(signature, source):
            return "tuning evaluation \(signature) from \(source) measured another size or accuracy than the one of the same search already in the database; not merging unrelated copies"
        case let .wrongKind(id, expected, actual):
            return "run \(id) is a \(actual.rawValue) run, not a \(expected.rawValue) run"
        case let .invalidShard(text, reason):
            return "invalid shard \"\(text)\": \(reason) (expected I/N with 1 ≤ I ≤ N, e.g. 2/4)"
        case let .database(path, reason):
            return "results database \(path): \(reason)"
        case let .encoding(reason):
            return "cannot encode results: \(reason)"
        }
    }
}
