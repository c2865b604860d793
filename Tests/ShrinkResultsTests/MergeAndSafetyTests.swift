import Foundation
import GRDB
import ShrinkMeasurement
import Testing
@testable import ShrinkResults

@Suite struct MergeAndSafetyTests {
    @Test func mergingShardsGivesTheUnionAndIsIdempotent() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let shard1 = try ResultsStore(path: directory + "/results-1.db")
        let shard2 = try ResultsStore(path: directory + "/results-2.db")
        let a = try shard1.record(Fixtures.benchmark(variant: "a", shard: "1/2"))
        let b = try shard2.record(Fixtures.benchmark(variant: "b", shard: "2/2"))
        let c = try shard2.record(compression: Fixtures.compression())

        let merged = try ResultsStore(path: directory + "/merged.db")
        let first = try merged.merge(from: [shard1.path, shard2.path])
        #expect(first == MergeSummary(added: 3, alreadyPresent: 0))
        #expect(Set(try merged.runs().map(\.id)) == [a, b, c])
        #expect(try merged.benchmarkRecord(id: b) == shard2.benchmarkRecord(id: b))
        #expect(try merged.export(format: .json).contains(#""shard" : "2/2""#))

        let second = try merged.merge(from: [shard1.path, shard2.path, shard1.path])
        #expect(second == MergeSummary(added: 0, alreadyPresent: 4))
        #expect(try merged.count() == 3)
        // Child rows were not duplicated either.
        let latencyRows = try DatabaseQueue(path: merged.path).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM latencies")
        }
        #expect(latencyRows == 4)
    }

    @Test func aDifferentRunWithTheSameIdIsAConflictAndNothingIsWritten() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let id = RunID("11111111-2222-3333-4444-555555555555")
        let one = try ResultsStore(path: directory + "/one.db")
        try one.record(Fixtures.benchmark(variant: "x", top1: 0.5), id: id)
        let other = try ResultsStore(path: directory + "/other.db")
        try other.record(Fixtures.benchmark(variant: "new", recordedAt: "2026-01-01T00:00:00Z"))
        try other.record(Fixtures.benchmark(variant: "x", top1: 0.6), id: id)

        #expect(throws: ResultsError.conflictingRun(id: id.rawValue, source: other.path)) {
            try one.merge(from: [other.path])
        }
        #expect(try one.count() == 1, "the failed merge wrote nothing")
        #expect(throws: ResultsError.self) { try one.record(Fixtures.benchmark(), id: id) }
    }

    @Test func aDatabaseFromANewerShrinkIsRefused() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let path = directory + "/future.db"
        _ = try ResultsStore(path: path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-something-new')")
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        for mode in [ResultsStore.OpenMode.createIfMissing, .existing, .readOnly] {
            let error = #expect(throws: ResultsError.self) { try ResultsStore(path: path, mode: mode) }
            #expect(error == .newerSchema(path: path, unknownMigrations: ["v2-something-new"]))
            #expect(String(describing: try #require(error)).contains("newer Shrink"))
        }
        let merged = try ResultsStore(path: directory + "/merged.db")
        #expect(throws: ResultsError.newerSchema(path: path, unknownMigrations: ["v2-something-new"])) {
            try merged.merge(from: [path])
        }
    }

    /// Found by `shrink-benchmarks fuzz-results`: `shrink results show --json` parsed the stored
    /// record with JSONSerialization itself, so a damaged record printed Foundation's "The data is
    /// not in the correct format" instead of naming the run.
    @Test func aRecordWhoseJSONDoesNotParseIsADamagedRowForShowJSON() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let path = directory + "/damaged.db"
        let store = try ResultsStore(path: path)
        let id = try store.record(Fixtures.benchmark())
        #expect(try store.recordObject(id: id) is [String: Any])
        for damaged in [#"{"variant": "int8-static", "#, #"{"top1": 1e999}"#, ""] {
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "UPDATE runs SET record_json = ? WHERE id = ?", arguments: [damaged, id.rawValue])
            }
            let error = #expect(throws: ResultsError.self) { try store.recordObject(id: id) }
            guard case .damagedRow(id.rawValue, _)? = error else {
                Issue.record("\(damaged): expected damagedRow, got \(String(describing: error))")
                continue
            }
            #expect(String(describing: try #require(error)).contains("run \(id.rawValue) in the results database is damaged"))
        }
    }

    @Test func garbageTruncatedForeignAndMissingFilesGiveClearErrors() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }

        let garbage = directory + "/garbage.db"
        #expect(FileManager.default.createFile(atPath: garbage, contents: Data(String(repeating: "not sqlite ", count: 400).utf8)))
        let garbageError = #expect(throws: ResultsError.self) { try ResultsStore(path: garbage) }
        guard case .notADatabase(garbage, _)? = garbageError else {
            Issue.record("expected notADatabase, got \(String(describing: garbageError))")
            return
        }

        // A real database cut to half its pages.
        let whole = directory + "/whole.db"
        let store = try ResultsStore(path: whole)
        for index in 0..<20 { try store.record(Fixtures.benchmark(variant: "v\(index)")) }
        let bytes = try #require(FileManager.default.contents(atPath: whole))
        for cut in [50, bytes.count / 2] {
            let truncated = directory + "/truncated-\(cut).db"
            #expect(FileManager.default.createFile(atPath: truncated, contents: bytes.prefix(cut)))
            let error = #expect(throws: ResultsError.self) {
                let opened = try ResultsStore(path: truncated, mode: .existing)
                _ = try opened.export(format: .json)
            }
            guard case .notADatabase(truncated, _)? = error else {
                Issue.record("cut at \(cut): expected notADatabase, got \(String(describing: error))")
                continue
            }
            #expect(!String(describing: try #require(error)).contains("\n"))
        }

        // Another program's SQLite file is not touched.
        let foreign = directory + "/foreign.db"
        try DatabaseQueue(path: foreign).write { db in try db.execute(sql: "CREATE TABLE notes (text TEXT)") }
        #expect(throws: ResultsError.foreignDatabase(path: foreign)) { try ResultsStore(path: foreign) }

        let missing = directory + "/missing.db"
        #expect(throws: ResultsError.missingDatabase(path: missing)) { try ResultsStore(path: missing, mode: .readOnly) }
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(throws: ResultsError.self) { try ResultsStore(path: directory) }
    }
}

@Suite struct ShardTests {
    @Test func parsesAndValidates() throws {
        let shard = try Shard(parsing: "2/4")
        #expect(shard.index == 2 && shard.count == 4 && shard.description == "2/4")
        #expect(try Shard(parsing: " 1 / 1 ").isWhole)
        for bad in ["0/4", "5/4", "1/0", "2", "a/b", "1/2/3", "-1/2", ""] {
            let error = #expect(throws: ResultsError.self) { try Shard(parsing: bad) }
            guard case let .invalidShard(text, _)? = error else {
                Issue.record("\(bad): expected invalidShard")
                continue
            }
            #expect(text == bad)
        }
        let zero = #expect(throws: ResultsError.self) { try Shard(parsing: "0/4") }
        #expect(String(describing: try #require(zero)).contains("SLURM_ARRAY_TASK_ID+1"))
    }

    @Test func shardsAreDisjointCoverEverythingAndBalance() throws {
        let items = Array(0..<10)
        let shards = try (1...3).map { try Shard(index: $0, count: 3).select(items) }
        #expect(shards == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]])
        #expect(shards.flatMap { $0 }.sorted() == items)
        #expect(try Shard(index: 5, count: 5).select(["a", "b"]).isEmpty)
        #expect(Shard.whole.select(items) == items)
    }
}
