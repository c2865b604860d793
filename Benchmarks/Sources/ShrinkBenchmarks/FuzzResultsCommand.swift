import ArgumentParser
import Foundation
import GRDB
import ShrinkMeasurement
import ShrinkReports
import ShrinkResults
import ShrinkTensor

/// `shrink-benchmarks fuzz-results`: a long-running fuzz loop for the results database reader.
///
/// A run is stored as one `runs` row (typed columns, the settings as `parameters_json` and the
/// whole `BenchmarkRecord` or `CompressionRunRecord` as `record_json`) with `latencies` and
/// `compression_steps` child rows (docs/RESULTS.md). The seeds are one bench and one compress
/// run recorded by `ResultsStore`. Three inputs in four are damaged rows, written into a scratch
/// database with plain SQL as a hand edit or a faulty tool would: the record or parameters JSON
/// mutated (`JSONMutation`: keys, extreme or mistyped values, removed members; sometimes raw
/// bytes, invalid UTF-8 included, or a blob), a column of the run or of a child row given a
/// value of another type or an extreme one (NULL, text in a number column, ±infinity,
/// `Int64.max`, an upper-case id), child rows removed or duplicated. Rows SQLite's own
/// constraints refuse (NOT NULL, CHECK, keys) never reach the reader and count as refused
/// `not stored`. One input in four is the whole seed database file with byte mutations, opened
/// read-only.
///
/// Every input is read the way the `shrink results` commands read: `runs()` (list), for each
/// run `run(matching:)` by id and by its short prefix (show), the record JSON parsed and
/// printed again (show --json) and decoded into its typed record (show), the list's size and percent formatting,
/// then `export` to JSON and CSV. Each must succeed or throw a `ResultsError`; other errors are
/// counted as `untyped` refusals. A crash ends the process (replay with `--replay N`, which
/// writes the damaged database).
struct FuzzResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-results",
        abstract: "Fuzz the results database reader with damaged run rows and damaged database files.")

    @OptionGroup var fuzzing: FuzzOptions

    @Option(help: "Where --replay writes the damaged database.")
    var replayOutput: String = "fuzz-input.db"

    @Option(help: "Folder for the scratch databases (default: /dev/shm when present, where SQLite's syncs cost nothing).")
    var scratch: String?

    func run() throws {
        let parent = scratch ?? (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        var template = Array((parent + "/shrink-fuzz-results-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ValidationError("cannot create a scratch folder in \(parent)")
        }
        let folder = String(cString: created)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FuzzDriver.run(try Target(folder: folder), options: fuzzing, replayOutput: replayOutput)
    }

    /// One row to insert: its table and its columns in order.
    struct TableRow {
        var table: String
        var columns: [String]
        var values: [DatabaseValue]
    }

    /// A damaged run (its rows) or a damaged database file.
    enum Input {
        case rows([TableRow])
        case file([UInt8])
    }

    /// The results store's reader as a fuzz target.
    final class Target: FuzzTarget {
        /// Per seed run, its rows.
        let seedRuns: [[TableRow]]
        /// The seed database file.
        let seedFile: [UInt8]
        let mutation: JSONMutation
        let folder: String
        /// The scratch database the damaged rows are written to, and the reader on it.
        let writer: DatabaseQueue
        let reader: ResultsStore
        /// Where damaged database files are written.
        let filePath: String

        var acceptedLabel: String { "read" }

        init(folder: String) throws {
            self.folder = folder
            let seedPath = folder + "/seed.db"
            let seedStore = try ResultsStore(path: seedPath, mode: .createIfMissing)
            try seedStore.record(try Self.benchmarkRecord())
            try seedStore.record(compression: Self.compressionRecord())
            let seedQueue = try DatabaseQueue(path: seedPath)
            seedRuns = try seedQueue.read { db in
                try String.fetchAll(db, sql: "SELECT id FROM runs ORDER BY id").map { id in
                    var rows = [TableRow]()
                    for (table, key) in [("runs", "id"), ("latencies", "run_id"), ("compression_steps", "run_id")] {
                        for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE \(key) = ?", arguments: [id]) {
                            rows.append(TableRow(table: table, columns: Array(row.columnNames), values: Array(row.databaseValues)))
                        }
                    }
                    return rows
                }
            }
            try seedQueue.close()
            seedFile = [UInt8](try Data(contentsOf: URL(fileURLWithPath: seedPath)))
            let recordTexts = seedRuns.flatMap { $0.flatMap { $0.values.compactMap { String.fromDatabaseValue($0) } } }
                .filter { $0.hasPrefix("{") }
            mutation = JSONMutation(keysOf: recordTexts.map { Array($0.utf8) })

            let workPath = folder + "/work.db"
            _ = try ResultsStore(path: workPath, mode: .createIfMissing)
            writer = try Self.writer(path: workPath)
            reader = try ResultsStore(path: workPath, mode: .readOnly)
            filePath = folder + "/file.db"
        }

        /// A connection for plain SQL writes; no syncs (a scratch file).
        static func writer(path: String) throws -> DatabaseQueue {
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
            return try DatabaseQueue(path: path, configuration: configuration)
        }

        func input(iteration: Int, seed: UInt64) -> Input {
            var generator = FuzzDriver.generator(iteration: iteration, seed: seed)
            if generator.nextIndex(below: 4) == 0 {
                var bytes = seedFile
                for _ in 0...generator.nextIndex(below: 4) { ByteMutation.mutate(&bytes, using: &generator) }
                return .file(bytes)
            }
            var rows = seedRuns[generator.nextIndex(below: seedRuns.count)]
            for _ in 0...generator.nextIndex(below: 2) { damage(&rows, using: &generator) }
            return .rows(rows)
        }

        /// One damage to a run's rows.
        func damage(_ rows: inout [TableRow], using generator: inout SeededRandomNumberGenerator) {
            let run = rows.firstIndex { $0.table == "runs" }!
            switch generator.nextIndex(below: 10) {
            case 0...4:
                // The record JSON: structure-aware mutations, sometimes stored as a blob.
                mutateJSON(in: &rows[run], column: "record_json", using: &generator)
            case 5:
                mutateJSON(in: &rows[run], column: "parameters_json", using: &generator)
            case 6:
                // Raw bytes of the record JSON (invalid UTF-8 included) as text.
                guard let index = rows[run].columns.firstIndex(of: "record_json") else { return }
                var bytes = Array((String.fromDatabaseValue(rows[run].values[index]) ?? "").utf8)
                for _ in 0...generator.nextIndex(below: 2) { ByteMutation.mutate(&bytes, using: &generator) }
                rows[run].values[index] = String(decoding: bytes, as: UTF8.self).databaseValue
            case 7:
                let column = generator.nextIndex(below: rows[run].columns.count)
                rows[run].values[column] = hostileValue(replacing: rows[run].values[column], using: &generator)
            case 8:
                guard rows.count > 1 else { return }
                let child = 1 + generator.nextIndex(below: rows.count - 1)
                let column = generator.nextIndex(below: rows[child].columns.count)
                rows[child].values[column] = hostileValue(replacing: rows[child].values[column], using: &generator)
            default:
                guard rows.count > 1 else { return }
                let child = 1 + generator.nextIndex(below: rows.count - 1)
                if generator.nextIndex(below: 2) == 0 {
                    rows.remove(at: child)
                } else {
                    // A copy with another key (batch size or step index), else a duplicate key.
                    var copy = rows[child]
                    if let key = copy.columns.firstIndex(where: { $0 == "batch_size" || $0 == "step_index" }) {
                        copy.values[key] = [2, 7, 1 << 40, -1].map(\.databaseValue)[generator.nextIndex(below: 4)]
                    }
                    rows.append(copy)
                }
            }
        }

        private func mutateJSON(in row: inout TableRow, column: String, using generator: inout SeededRandomNumberGenerator) {
            guard let index = row.columns.firstIndex(of: column) else { return }
            var bytes = Array((String.fromDatabaseValue(row.values[index]) ?? "").utf8)
            mutation.mutate(&bytes, count: 3, using: &generator)
            row.values[index] = generator.nextIndex(below: 16) == 0
                ? Data(bytes).databaseValue : String(decoding: bytes, as: UTF8.self).databaseValue
        }

        /// NULL, a value of another type, an extreme number, or a case change of the text.
        private func hostileValue(replacing value: DatabaseValue, using generator: inout SeededRandomNumberGenerator) -> DatabaseValue {
            let text = String.fromDatabaseValue(value) ?? ""
            let candidates: [DatabaseValue] = [
                .null, "".databaseValue, "x".databaseValue, "bench".databaseValue, "compress".databaseValue,
                text.uppercased().databaseValue, String(text.prefix(8)).databaseValue, (text + text).databaseValue,
                String(repeating: "é", count: 5_000).databaseValue, "{}".databaseValue, "[]".databaseValue,
                Int64.max.databaseValue, Int64.min.databaseValue, (-1).databaseValue, 0.databaseValue,
                Double.infinity.databaseValue, (-Double.infinity).databaseValue, Double.greatestFiniteMagnitude.databaseValue,
                (-0.0).databaseValue, Double.leastNonzeroMagnitude.databaseValue, 0.5.databaseValue, Data([0xFF, 0xFE, 0x00]).databaseValue,
                Data(text.utf8).databaseValue,
            ]
            return candidates[generator.nextIndex(below: candidates.count)]
        }

        func outcome(of input: Input) -> FuzzOutcome {
            switch input {
            case let .rows(rows):
                do {
                    try writer.write { db in try Self.replaceRuns(with: rows, db) }
                } catch let error as DatabaseError {
                    return .refused("rows: not stored (\(error.resultCode))")
                } catch {
                    return .inconsistent("writing the rows failed: \(error)")
                }
                return Self.classify(prefix: "rows") { try Self.readLikeTheCommands(reader) }
            case let .file(bytes):
                try? FileManager.default.removeItem(atPath: filePath + "-journal")
                guard FileManager.default.createFile(atPath: filePath, contents: Data(bytes)) else {
                    return .inconsistent("cannot write \(filePath)")
                }
                return Self.classify(prefix: "file") {
                    try Self.readLikeTheCommands(try ResultsStore(path: filePath, mode: .readOnly))
                }
            }
        }

        /// Accepted, a `ResultsError` by kind, or another error by type (`untyped`).
        static func classify(prefix: String, _ body: () throws -> Void) -> FuzzOutcome {
            do {
                try body()
                return .accepted
            } catch let error as ResultsError {
                _ = error.description
                return .refused("\(prefix): \(FuzzOutcome.kind(of: error))")
            } catch {
                return .refused("\(prefix): untyped \(type(of: error))")
            }
        }

        /// Empties the tables and inserts `rows`.
        static func replaceRuns(with rows: [TableRow], _ db: Database) throws {
            for table in ["compression_steps", "latencies", "runs"] { try db.execute(sql: "DELETE FROM \(table)") }
            for row in rows {
                let columns = row.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let placeholders = Array(repeating: "?", count: row.columns.count).joined(separator: ", ")
                try db.execute(sql: "INSERT INTO \(row.table) (\(columns)) VALUES (\(placeholders))",
                               arguments: StatementArguments(row.values))
            }
        }

        /// What `shrink results list`, `show`, `show --json` and `export` read.
        static func readLikeTheCommands(_ store: ResultsStore) throws {
            let runs = try store.runs()
            for summary in runs {
                _ = [ReportFormatting.bytes(summary.fileBytes), ReportFormatting.percent(summary.top1),
                     ReportFormatting.seconds(summary.batch1MedianSeconds), ReportFormatting.seconds(summary.compressionSeconds)]
                let found = try store.run(matching: summary.id.rawValue)
                _ = try? store.run(matching: summary.id.short)  // Another run may share the prefix.
                let document: [String: Any] = ["id": found.id.rawValue, "kind": found.kind.rawValue,
                                               "record": try store.recordObject(id: found.id)]
                _ = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
                switch found.kind {
                case .bench: _ = try store.benchmarkRecord(id: found.id)
                case .compress: _ = try store.compressionRecord(id: found.id)
                }
            }
            _ = try store.export(format: .json)
            _ = try store.export(format: .csv)
        }

        func writeReplay(_ input: Input, to path: String) throws -> String {
            switch input {
            case let .file(bytes):
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                return "a damaged database file of \(bytes.count) bytes written to \(path)"
            case let .rows(rows):
                try? FileManager.default.removeItem(atPath: path)
                _ = try ResultsStore(path: path, mode: .createIfMissing)
                let queue = try DatabaseQueue(path: path)
                try queue.write { db in try Self.replaceRuns(with: rows, db) }
                try queue.close()
                return "a database with the damaged run written to \(path)"
            }
        }

        /// A bench run as `shrink bench` records it (small figures, every section filled).
        static func benchmarkRecord() throws -> BenchmarkRecord {
            let machine = machine
            let latency1 = try LatencySummary(samplesSeconds: [2e-6, 2.1e-6, 1.9e-6, 2e-6, 2.05e-6], warmUpRuns: 3,
                                              discardedRuns: 1, targetRelativeHalfWidth: 0.02)
            let latency64 = try LatencySummary(samplesSeconds: [6.4e-5, 6.5e-5, 6.3e-5], warmUpRuns: 3,
                                               discardedRuns: 0, targetRelativeHalfWidth: 0.02)
            let classification = try ClassificationMetrics.report(predictions: [0, 1, 1, 2], labels: [0, 1, 2, 2], classCount: 3)
            let operations = OperationCounts(multiplyAccumulates: [.int8: 266_200])
            let traffic = MemoryTraffic(sramBytes: 4_000, dramBytes: 270_000)
            return BenchmarkRecord(
                variant: "int8-static", modelPath: "runs/int8-static.shrink", modelSHA256: String(repeating: "ab", count: 32),
                architecture: "lenet-300-100", recordedAt: "2026-11-23T12:00:00Z", machine: machine,
                codeVersion: "shrink 0.1.0 (abc1234)",
                settings: BenchmarkSettings(dataset: "mnist", testSamples: 4, batchSizes: [1, 64], threads: 1, warmUpRuns: 3,
                                            maximumRuns: 200, targetRelativeHalfWidth: 0.02, shard: "1/2"),
                size: SizeFigures(fileBytes: 270_000, gzipBytes: 240_000, parameters: 266_610, nonZeroParameters: 266_000),
                loadSeconds: 0.004,
                memory: MemoryFigures(peakResidentBytes: 20 << 20, baselineResidentBytes: 10 << 20,
                                      allocationsPerInference: 0, runtimeBytes: 300_000),
                latency: [BatchLatency(batchSize: 1, latency: latency1), BatchLatency(batchSize: 64, latency: latency64)],
                operators: [OperatorShare(kind: "linear-int8", callsPerRun: 3, secondsPerRun: 1.5e-6, share: 0.75)],
                accuracy: AccuracyFigures(top1: 0.75, top5: 1, classification: classification),
                energy: EnergyFigures(modelled: EnergyModel.estimate(operations: operations, memoryTraffic: traffic),
                                      operations: operations, memoryTraffic: traffic,
                                      measuredJoules: nil, measuredUnavailableReason: "no RAPL"),
                compression: CompressionFigures(recipe: "int8-static", steps: [
                    CompressionStepFigures(kind: "int8Static", summary: "calibrated, \"quoted\"", seconds: 1.5)]),
                layers: [LayerFigures(name: "fc1.weight", layerType: "linear", elements: 235_200, nonZero: 235_000,
                                      encoding: "affine8", valueBits: 8, storedBytes: 235_200, kernel: "int8")])
        }

        /// A compress run as `shrink compress` records it.
        static func compressionRecord() -> CompressionRunRecord {
            CompressionRunRecord(
                recipe: "prune-50", recipeDefinition: #"{"name":"prune-50","version":1}"#,
                inputPath: "runs/base.shrink", outputPath: "runs/pruned.shrink", outputSHA256: String(repeating: "cd", count: 32),
                outputBytes: 150_000, outputGzipBytes: 120_000, variant: "pruned", architecture: "lenet-300-100",
                settings: CompressionRunSettings(dataset: "mnist", trainingSamples: 640, testSamples: 300, threads: 1, seed: 2),
                steps: [CompressionStepFigures(kind: "magnitudePruning", summary: "50 % of weights", seconds: 2.5),
                        CompressionStepFigures(kind: "float16", summary: "halves", seconds: 0.25)],
                accuracyBefore: 0.9, accuracyAfter: 0.88, weightElements: 266_200, weightNonZero: 133_100,
                machine: machine, codeVersion: "shrink 0.1.0", recordedAt: "2026-11-23T11:00:00Z",
                inputSHA256: String(repeating: "ef", count: 32))
        }

        static let machine = MachineDescription(cpuModel: "AMD EPYC 9R14", logicalCores: 2, memoryBytes: 24 << 30,
                                                operatingSystem: "Linux 6.1", kernelPath: "avx512", hostName: "node-1")
    }
}
