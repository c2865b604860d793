import ArgumentParser
import Foundation
import ShrinkMeasurement
import ShrinkResults
import Testing
@testable import ShrinkCLI

@Suite struct ResultsCommandTests {
    static let machine = MachineDescription(cpuModel: "AMD EPYC", logicalCores: 2, memoryBytes: 24 << 30,
                                            operatingSystem: "Linux 6.1", kernelPath: "avx512", hostName: "node-7")

    static func compression(variant: String, shard: String?) -> CompressionRunRecord {
        CompressionRunRecord(
            recipe: "fp16", recipeDefinition: "{}", inputPath: "base.shrink", outputPath: "\(variant).shrink",
            outputSHA256: String(repeating: "0", count: 64), outputBytes: 533_000, outputGzipBytes: nil, variant: variant,
            architecture: "lenet-300-100",
            settings: CompressionRunSettings(dataset: "mnist", trainingSamples: 0, testSamples: 100, threads: 1, seed: nil,
                                             shard: shard),
            steps: [CompressionStepFigures(kind: "float16", summary: "halves", seconds: 0.5)],
            accuracyBefore: 0.98, accuracyAfter: 0.979, weightElements: 266_200, weightNonZero: 266_200,
            machine: machine, codeVersion: "shrink 0.1.0", recordedAt: "2026-11-23T12:00:0\(variant.count % 10)Z")
    }

    @Test func subcommandsParseAndValidate() throws {
        let list = try ResultsListCommand.parse(["--database", "x.db", "--kind", "compress", "--variant", "int8", "--json"])
        #expect(list.location.database == "x.db" && list.kind == .compress && list.variant == "int8" && list.json)
        #expect(try ResultsListCommand.parse([]).location.database == "shrink.db")
        #expect(throws: (any Error).self) { try ResultsListCommand.parse(["--kind", "train"]) }
        #expect(throws: (any Error).self) { try ResultsListCommand.parse(["--limit", "0"]) }
        #expect(try ResultsExportCommand.parse(["--format", "csv"]).format == .csv)
        #expect(throws: (any Error).self) { try ResultsExportCommand.parse(["--format", "xml"]) }
        #expect(throws: (any Error).self) { try ResultsMergeCommand.parse(["out.db"]) }
        #expect(try ResultsShowCommand.parse(["3f2b"]).id == "3f2b")
        let compress = try CompressCommand.parse(["m.shrink", "--recipe", "fp16", "--output", "o.shrink", "--no-record"])
        #expect(!compress.results.isRecording && compress.results.database == "shrink.db")
        #expect(Shard(argument: "2/4") == (try Shard(index: 2, count: 4)) && Shard(argument: "0/4") == nil)
        _ = try Shrink.parseAsRoot(["results", "list", "--database", "x.db"])
    }

    @Test func listShowExportAndMergeShardDatabases() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-results-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let shards = [directory + "/results-1.db", directory + "/results-2.db"]
        var ids = [RunID]()
        for (index, path) in shards.enumerated() {
            let options = try ResultsDatabaseOptions.parse(["--database", path])
            ids.append(try #require(try options.record(compression: Self.compression(variant: "half-\(index)", shard: "\(index + 1)/2"))))
        }
        let merged = directory + "/merged.db"
        try ResultsMergeCommand.parse([merged] + shards).run()
        try ResultsMergeCommand.parse([merged] + shards + ["--json"]).run()
        let store = try ResultsStore(path: merged, mode: .readOnly)
        #expect(Set(try store.runs().map(\.id)) == Set(ids))

        let rendered = ResultsListCommand.render(try store.runs())
        #expect(rendered.contains(ids[0].short) && rendered.contains("half-1") && rendered.contains("97.90 %"))
        #expect(rendered.hasSuffix("2 runs"))
        #expect(rendered.contains("533 kB"), "sizes in the reports' decimal units")
        #expect(ResultsListCommand.render([]) == "No runs recorded.")
        try ResultsListCommand.parse(["--database", merged]).run()
        try ResultsShowCommand.parse([ids[1].short, "--database", merged]).run()
        try ResultsShowCommand.parse([ids[1].rawValue, "--database", merged, "--json"]).run()
        let shown = ResultsShowCommand.render(id: ids[1], try store.compressionRecord(id: ids[1]))
        #expect(shown.contains("Recipe fp16") && shown.contains("shard 2/2") && shown.contains("float16"))

        let csvPath = directory + "/runs.csv"
        try ResultsExportCommand.parse(["--database", merged, "--format", "csv", "--output", csvPath]).run()
        let csv = String(decoding: try #require(FileManager.default.contents(atPath: csvPath)), as: UTF8.self)
        #expect(csv.hasPrefix("id,kind,recorded_at,variant,"))
        #expect(csv.split(separator: "\n").count == 3)

        let missing = try ResultsListCommand.parse(["--database", directory + "/none.db"])
        let error = #expect(throws: (any Error).self) { try missing.run() }
        #expect(String(describing: try #require(error)).contains("no results database at"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/none.db"))
    }
}

@Suite struct ResultsShowRenderingTests {
    @Test func benchRunsShowSettingsFiguresAndALatencyTable() throws {
        let latency = try LatencySummary(samplesSeconds: [2e-6, 2.2e-6, 1.8e-6], warmUpRuns: 2, discardedRuns: 0,
                                         targetRelativeHalfWidth: 0.02)
        let classification = try ClassificationMetrics.report(predictions: [0, 1, 1], labels: [0, 1, 1], classCount: 2)
        let operations = OperationCounts(multiplyAccumulates: [.int8: 1_000])
        let record = BenchmarkRecord(
            variant: "baseline", modelPath: "base.shrink", modelSHA256: String(repeating: "a", count: 64),
            architecture: "lenet-300-100", recordedAt: "2026-11-23T12:00:00Z", machine: ResultsCommandTests.machine,
            codeVersion: "shrink 0.1.0",
            settings: BenchmarkSettings(dataset: "mnist", testSamples: 3, batchSizes: [1], threads: 1, warmUpRuns: 2,
                                        maximumRuns: 10, targetRelativeHalfWidth: 0.02, shard: "1/3"),
            size: SizeFigures(fileBytes: 1_065_000, gzipBytes: 990_000, parameters: 266_610, nonZeroParameters: 266_610),
            loadSeconds: 0.0021,
            memory: MemoryFigures(peakResidentBytes: 30 << 20, baselineResidentBytes: nil, allocationsPerInference: nil,
                                  runtimeBytes: nil),
            latency: [BatchLatency(batchSize: 1, latency: latency)], operators: [],
            accuracy: AccuracyFigures(top1: 1, top5: 1, classification: classification),
            energy: EnergyFigures(modelled: EnergyModel.estimate(operations: operations, memoryTraffic: MemoryTraffic()),
                                  operations: operations, memoryTraffic: MemoryTraffic(), measuredJoules: nil,
                                  measuredUnavailableReason: "no RAPL"),
            compression: nil, layers: [])
        let text = ResultsShowCommand.render(id: RunID("12345678-0000-0000-0000-000000000000"), record)
        #expect(text.hasPrefix("Run 12345678-0000-0000-0000-000000000000 (bench)"))
        #expect(text.contains("shard 1/3") && text.contains("top-1 100.00 %") && text.contains("2.10 ms"))
        #expect(text.contains("measured - (no RAPL)") && text.contains("2.00 µs"))
        let rows = text.split(separator: "\n")
        #expect(rows.last?.hasPrefix("    1") == true, "the latency table's batch-1 row closes the output:\n\(text)")
    }
}
