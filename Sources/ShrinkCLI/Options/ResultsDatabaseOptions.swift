import ArgumentParser
import Foundation
import ShrinkBenchmarking
import ShrinkKernels
import ShrinkMeasurement
import ShrinkResults

/// `--database PATH` and `--no-record`, shared by the commands that record their runs in the
/// results database by default (`shrink compress`, `shrink bench`).
struct ResultsDatabaseOptions: ParsableArguments {
    @Option(help: "The results database to record the run in (created if missing).")
    var database = ResultsDatabaseLocation.defaultPath

    @Flag(help: "Do not record the run in the results database.")
    var noRecord = false

    /// Whether runs are recorded.
    var isRecording: Bool { !noRecord }

    /// Checks, before any work, that the database can be recorded in (unless `--no-record`).
    func validate() throws {
        guard isRecording else { return }
        try Self.checkRecordable(database)
    }

    /// Throws a `ValidationError` unless `path` is a results database that can be opened for
    /// writing, or a new file in a writable folder.
    static func checkRecordable(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw ValidationError("--database \(path) is a folder; give a database file path.") }
            guard FileManager.default.isWritableFile(atPath: path) else {
                throw ValidationError("--database \(path) is not writable.")
            }
            do {
                _ = try ResultsStore(path: path, mode: .existing)
            } catch {
                throw ValidationError("--database \(path) cannot be opened: \(error)")
            }
        }
        try OutputPath.checkFolder(of: path, option: "--database")
    }

    /// Records benchmark runs in one transaction, unless `--no-record`; returns their ids (empty
    /// when not recording).
    @discardableResult
    func record(_ records: [BenchmarkRecord]) throws -> [RunID] {
        guard isRecording, !records.isEmpty else { return [] }
        do {
            return try ResultsStore(path: database).record(records)
        } catch {
            throw CommandFailure("the results above were not saved in \(database): \(error)")
        }
    }

    /// Records a compression run unless `--no-record`; returns its id (nil when not recording).
    @discardableResult
    func record(compression: CompressionRunRecord) throws -> RunID? {
        guard isRecording else { return nil }
        do {
            return try ResultsStore(path: database).record(compression: compression)
        } catch {
            throw CommandFailure("the run was not recorded in \(database) (the model file and the report above were written): \(error)")
        }
    }

    /// "Recorded run 3f2b9c1e in shrink.db" for people (standard output of table-mode commands).
    func recordedLine(_ ids: [RunID]) -> String? {
        guard let first = ids.first else { return nil }
        let runs = ids.count == 1 ? "run \(first.short)" : "\(ids.count) runs (\(ids.map(\.short).joined(separator: ", ")))"
        let databaseOption = database == ResultsDatabaseLocation.defaultPath ? "" : " --database \(database)"
        return "Recorded \(runs) in \(database) (shrink results show \(first.short)\(databaseOption))"
    }
}

/// `--database PATH` of the `shrink results` subcommands, which read an existing database.
struct ResultsDatabaseLocation: ParsableArguments {
    /// `shrink.db` in the current directory.
    static let defaultPath = "shrink.db"

    @Option(help: "The results database (default: shrink.db in the current directory).")
    var database = Self.defaultPath

    /// Opens the existing database read-only.
    func open() throws -> ResultsStore {
        try ResultsStore(path: database, mode: .readOnly)
    }
}

/// The machine and code of this process, for records (the same description `shrink bench` uses).
enum RunProvenance {
    /// This machine, with the CPU path the kernels use.
    static func machine() -> MachineDescription { MachineDescription.current() }

    /// `shrink <version>` plus the git commit when known.
    static var codeVersion: String { CodeVersion.current() }
}

extension Shard: ExpressibleByArgument {
    /// Parses `--shard I/N`; a bad value is a validation error with the reason.
    public init?(argument: String) {
        guard let shard = try? Shard(parsing: argument) else { return nil }
        self = shard
    }

    public static var defaultCompletionKind: CompletionKind { .default }
}
