import ArgumentParser
import Foundation
import ShrinkMeasurement
import Testing
@testable import ShrinkCLI

@Suite struct CompareCommandTests {
    static func record(variant: String, fileBytes: Int, top1: Double, medianSeconds: Double) throws -> BenchmarkRecord {
        let latency = try LatencySummary(samplesSeconds: Array(repeating: medianSeconds, count: 5), warmUpRuns: 1,
                                         discardedRuns: 0, targetRelativeHalfWidth: 0.02)
        let classification = try ClassificationMetrics.report(predictions: [0, 1, 1, 2], labels: [0, 1, 2, 2], classCount: 3)
        let operations = OperationCounts(multiplyAccumulates: [.int8: 266_200])
        let traffic = MemoryTraffic(sramBytes: 4_000, dramBytes: Double(fileBytes))
        return BenchmarkRecord(
            variant: variant, modelPath: "\(variant).shrink", modelSHA256: String(repeating: "ab", count: 32),
            architecture: "lenet-300-100", recordedAt: "2026-11-23T12:00:00Z",
            machine: MachineDescription(cpuModel: "AMD EPYC", logicalCores: 2, memoryBytes: 24 << 30,
                                        operatingSystem: "Linux 6.1", kernelPath: "avx512", hostName: "host"),
            codeVersion: "shrink 0.1.0",
            settings: BenchmarkSettings(dataset: "mnist", testSamples: 4, batchSizes: [1], threads: 1, warmUpRuns: 1,
                                        maximumRuns: 20, targetRelativeHalfWidth: 0.02),
            size: SizeFigures(fileBytes: fileBytes, gzipBytes: fileBytes * 9 / 10, parameters: 266_610, nonZeroParameters: 266_610),
            loadSeconds: 0.004,
            memory: MemoryFigures(peakResidentBytes: nil, baselineResidentBytes: nil, allocationsPerInference: nil, runtimeBytes: nil),
            latency: [BatchLatency(batchSize: 1, latency: latency)],
            operators: [OperatorShare(kind: "linear", callsPerRun: 3, secondsPerRun: medianSeconds, share: 1)],
            accuracy: AccuracyFigures(top1: top1, top5: 1, classification: classification),
            energy: EnergyFigures(modelled: EnergyModel.estimate(operations: operations, memoryTraffic: traffic),
                                  operations: operations, memoryTraffic: traffic, measuredJoules: nil,
                                  measuredUnavailableReason: "no RAPL"),
            compression: nil,
            layers: [LayerFigures(name: "fc1.weight", layerType: "linear", elements: 235_200, nonZero: 235_200,
                                  encoding: "float32", valueBits: 32, storedBytes: 940_800, kernel: "fp32")])
    }

    /// Writes `fp32` alone and `[int8, pruned]` as an array, as `shrink bench --json` would.
    func writeInputs(to directory: String) throws -> [String] {
        let encoder = JSONEncoder()
        let single = directory + "/fp32.json"
        let array = directory + "/sweep.json"
        try encoder.encode(try Self.record(variant: "fp32", fileBytes: 1_067_200, top1: 0.98, medianSeconds: 4e-5))
            .write(to: URL(fileURLWithPath: single))
        try encoder.encode([try Self.record(variant: "int8", fileBytes: 268_900, top1: 0.979, medianSeconds: 1.4e-5),
                            try Self.record(variant: "pruned", fileBytes: 190_400, top1: 0.97, medianSeconds: 2e-5)])
            .write(to: URL(fileURLWithPath: array))
        return [single, array]
    }

    @Test func loadsSingleRecordsAndArraysAndWritesEachFormat() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-compare")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let inputs = try writeInputs(to: directory)
        #expect(try CompareCommand.loadRecords(inputs: inputs).map(\.variant) == ["fp32", "int8", "pruned"])

        for (name, prefix) in [("report.csv", "variant,architecture,is_baseline"), ("report.md", "| Variant |"),
                               ("report.html", "<!DOCTYPE html>"), ("report.json", "{")] {
            let output = directory + "/" + name
            let command = try CompareCommand.parse(inputs + ["--baseline", "int8", "--output", output])
            try command.run()
            let text = try String(contentsOfFile: output, encoding: .utf8)
            #expect(text.hasPrefix(prefix), "\(name) starts with \(text.prefix(40))")
        }
        let json = try String(contentsOfFile: directory + "/report.json", encoding: .utf8)
        #expect(json.contains("\"baseline\" : \"int8\""))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
        // An explicit format wins over the extension.
        let forced = directory + "/forced.txt"
        try CompareCommand.parse(inputs + ["--format", "csv", "--output", forced]).run()
        #expect(try String(contentsOfFile: forced, encoding: .utf8).hasPrefix("variant,"))
    }

    @Test func validationMessagesAreHelpful() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-compare-invalid")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let inputs = try writeInputs(to: directory)

        func message(_ arguments: [String]) -> String {
            do {
                _ = try CompareCommand.parse(arguments)
                return ""
            } catch {
                return CompareCommand.message(for: error)
            }
        }
        let unknown = message(inputs + ["--baseline", "fp64"])
        #expect(unknown.contains("fp64") && unknown.contains("fp32, int8, pruned"))
        #expect(message([]).contains("at least one"))
        #expect(message(inputs + ["--batch", "0"]).contains("--batch"))
        #expect(message(inputs + ["--batch", "64"]).contains("batch size 64"))
        #expect(message(inputs + ["--format", "pdf"]).contains("pdf"))
        #expect(message(inputs + ["--output", "report.pdf"]).contains("--format"))
        #expect(message(["/nonexistent/records.json"]).contains("/nonexistent/records.json"))
        let garbage = directory + "/garbage.json"
        try Data("{\"variant\": 3}".utf8).write(to: URL(fileURLWithPath: garbage))
        let undecodable = message([garbage])
        #expect(undecodable.contains("garbage.json") && undecodable.contains("not a benchmark record"))
        #expect(!undecodable.contains("\n"))
        let duplicate = message([inputs[0], inputs[0]])
        #expect(duplicate.contains("'fp32'") && duplicate.contains("unique"))
    }
}
