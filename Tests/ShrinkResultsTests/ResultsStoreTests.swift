import Foundation
import GRDB
import ShrinkMeasurement
import Testing
@testable import ShrinkResults

@Suite struct ResultsStoreTests {
    @Test func benchmarkRecordRoundTripsThroughListAndShow() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let store = try ResultsStore(path: directory + "/shrink.db")
        let record = try Fixtures.benchmark()
        let id = try store.record(record)
        let compressID = try store.record(compression: Fixtures.compression())

        let runs = try store.runs()
        #expect(runs.map(\.id) == [id, compressID], "newest first")
        let bench = try #require(runs.first)
        #expect(bench.kind == .bench && bench.variant == "int8-static" && bench.fileBytes == 270_000)
        #expect(bench.top1 == 0.75 && bench.batch1MedianSeconds == record.latency[0].latency.medianSeconds)
        #expect(runs[1].top1 == 0.88, "a compress run lists its accuracy after compression")

        #expect(try store.benchmarkRecord(id: id) == record)
        #expect(try store.compressionRecord(id: compressID) == Fixtures.compression())
        #expect(try store.run(matching: String(id.rawValue.prefix(8)).uppercased()).id == id)
        #expect(throws: ResultsError.wrongKind(id: compressID.rawValue, expected: .bench, actual: .compress)) {
            try store.benchmarkRecord(id: compressID)
        }
        #expect(throws: ResultsError.unknownRun(id: "ffff")) { try store.run(matching: "ffff") }

        // Reopening finds the same runs.
        let reopened = try ResultsStore(path: directory + "/shrink.db", mode: .readOnly)
        #expect(try reopened.runs() == runs)
    }

    @Test func filtersByKindVariantArchitectureAndLimit() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let store = try ResultsStore(path: directory + "/shrink.db")
        try store.record(Fixtures.benchmark(variant: "baseline", recordedAt: "2026-11-23T10:00:00Z"))
        try store.record(Fixtures.benchmark(variant: "INT8-static", recordedAt: "2026-11-23T10:01:00Z"))
        try store.record(compression: Fixtures.compression())
        #expect(try store.runs(filter: RunFilter(kind: .bench)).map(\.variant) == ["INT8-static", "baseline"])
        #expect(try store.runs(filter: RunFilter(variantContaining: "int8")).map(\.variant) == ["INT8-static"])
        #expect(try store.runs(filter: RunFilter(kind: .compress)).map(\.variant) == ["pruned"])
        #expect(try store.runs(filter: RunFilter(architecture: "vgg-16")).isEmpty)
        #expect(try store.runs(filter: RunFilter(limit: 1)).map(\.variant) == ["pruned"])
        #expect(try store.count() == 3)
    }

    @Test func headlineColumnsAreQueryableWithSQL() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let path = directory + "/shrink.db"
        let store = try ResultsStore(path: path)
        let record = try Fixtures.benchmark()
        let id = try store.record(record)
        try store.record(compression: Fixtures.compression())

        // Plain SQL on the file, as a user with sqlite3 would.
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT r.file_bytes, r.gzip_bytes, r.parameters, r.non_zero, r.load_seconds, r.peak_resident_bytes,
                       r.top1, r.top5, r.macro_f1, r.modelled_joules, r.measured_joules, r.compression_seconds,
                       r.cpu_model, r.shard, l.median_seconds, l.p5_seconds, l.p95_seconds, l.runs, l.samples_per_second
                FROM runs r JOIN latencies l ON l.run_id = r.id AND l.batch_size = 64 WHERE r.id = ?
                """, arguments: [id.rawValue]))
            #expect(row["file_bytes"] as Int? == 270_000 && row["gzip_bytes"] as Int? == 240_000)
            #expect(row["parameters"] as Int? == 266_610 && row["non_zero"] as Int? == 266_000)
            #expect(row["load_seconds"] as Double? == 0.004 && row["peak_resident_bytes"] as Int? == 20 << 20)
            #expect(row["top1"] as Double? == 0.75 && row["top5"] as Double? == 1)
            #expect(row["macro_f1"] as Double? == record.accuracy?.classification.macroAverage.f1)
            #expect(row["modelled_joules"] as Double? == record.energy.modelled.totalJoules)
            #expect(row["measured_joules"] as Double? == nil && row["compression_seconds"] as Double? == 1.5)
            #expect(row["cpu_model"] as String? == "AMD EPYC 9R14" && row["shard"] as String? == nil)
            let latency = record.latency[1]
            #expect(row["median_seconds"] as Double? == latency.latency.medianSeconds)
            #expect(row["p5_seconds"] as Double? == latency.latency.p5Seconds)
            #expect(row["p95_seconds"] as Double? == latency.latency.p95Seconds)
            #expect(row["runs"] as Int? == latency.latency.runs)
            #expect(row["samples_per_second"] as Double? == latency.samplesPerSecond)

            let steps = try Row.fetchAll(db, sql: """
                SELECT s.kind, s.seconds FROM compression_steps s JOIN runs r ON r.id = s.run_id
                WHERE r.kind = 'compress' ORDER BY s.step_index
                """)
            #expect(steps.map { $0["kind"] as String? } == ["magnitudePruning", "float16"])
            let compress = try #require(try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE kind = 'compress'"))
            #expect(compress["accuracy_before"] as Double? == 0.9 && compress["accuracy_after"] as Double? == 0.88)
            #expect(compress["compression_seconds"] as Double? == 2.75 && compress["recipe"] as String? == "prune-50")
            #expect(compress["model_path"] as String? == "runs/pruned.shrink")
            let parameters = try #require(compress["parameters_json"] as String?)
            #expect(parameters.contains(#""training_samples":640"#))
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == ResultsStore.schemaVersion)
        }
    }

    @Test func exportsJSONAndCSVWithStableColumns() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let store = try ResultsStore(path: directory + "/shrink.db")
        let record = try Fixtures.benchmark()
        let benchID = try store.record(record)
        let compressID = try store.record(compression: Fixtures.compression())

        let json = try store.export(format: .json)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["schema_version"] as? Int == ResultsStore.schemaVersion)
        let runs = try #require(document["runs"] as? [[String: Any]])
        #expect(runs.map { $0["id"] as? String } == [compressID.rawValue, benchID.rawValue], "oldest first")
        let bench = runs[1]
        #expect(Set(bench.keys) == Set(ResultsStore.exportedRunColumns + ["parameters", "record", "latencies", "compression_steps"]))
        #expect(bench["variant"] as? String == "int8-static" && bench["top1"] as? Double == 0.75)
        #expect(bench["measured_joules"] is NSNull)
        let latencies = try #require(bench["latencies"] as? [[String: Any]])
        #expect(latencies.map { $0["batch_size"] as? Int } == [1, 64])
        let embedded = try JSONSerialization.data(withJSONObject: try #require(bench["record"]))
        #expect(try JSONDecoder().decode(BenchmarkRecord.self, from: embedded) == record)

        let csv = try store.export(format: .csv)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(Array(header.prefix(ResultsStore.exportedRunColumns.count)) == ResultsStore.exportedRunColumns)
        #expect(Array(header.suffix(8)) == [
            "latency_median_seconds_b1", "latency_p5_seconds_b1", "latency_p95_seconds_b1", "samples_per_second_b1",
            "latency_median_seconds_b64", "latency_p5_seconds_b64", "latency_p95_seconds_b64", "samples_per_second_b64",
        ])
        let benchFields = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(benchFields.count == header.count)
        #expect(benchFields[header.firstIndex(of: "top1")!] == "0.75")
        #expect(benchFields[header.firstIndex(of: "measured_joules")!] == "")
        #expect(benchFields[header.firstIndex(of: "latency_median_seconds_b1")!] == "\(record.latency[0].latency.medianSeconds)")
        let compressFields = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(compressFields[header.firstIndex(of: "accuracy_after")!] == "0.88")
        #expect(compressFields.last == "", "a compress run has no latency")
    }

    @Test func csvQuotesFieldsWithCommasAndQuotes() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let store = try ResultsStore(path: directory + "/shrink.db")
        try store.record(Fixtures.benchmark(variant: #"a, "b""#))
        let csv = try store.export(format: .csv)
        #expect(csv.contains(#","a, ""b""","#))
    }
}
