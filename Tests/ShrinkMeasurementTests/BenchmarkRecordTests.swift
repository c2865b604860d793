import Foundation
import Testing
@testable import ShrinkMeasurement

@Suite struct BenchmarkRecordTests {
    static func record() throws -> BenchmarkRecord {
        let latency = try LatencySummary(samplesSeconds: [2e-6, 2.1e-6, 1.9e-6, 2e-6, 2.05e-6], warmUpRuns: 3,
                                         discardedRuns: 1, targetRelativeHalfWidth: 0.02)
        let classification = try ClassificationMetrics.report(predictions: [0, 1, 1, 2], labels: [0, 1, 2, 2], classCount: 3)
        let operations = OperationCounts(multiplyAccumulates: [.int8: 266_200])
        let traffic = MemoryTraffic(sramBytes: 4_000, dramBytes: 270_000)
        return BenchmarkRecord(
            variant: "int8-static", modelPath: "runs/int8.shrink", modelSHA256: String(repeating: "ab", count: 32),
            architecture: "lenet-300-100", recordedAt: "2026-11-23T12:00:00Z",
            machine: MachineDescription(cpuModel: "AMD EPYC", logicalCores: 2, memoryBytes: 24 << 30,
                                        operatingSystem: "Linux 6.1", kernelPath: "avx512", hostName: "host"),
            codeVersion: "shrink 0.1.0 (abc1234)",
            settings: BenchmarkSettings(dataset: "mnist", testSamples: 4, batchSizes: [1, 64], threads: 1, warmUpRuns: 3,
                                        maximumRuns: 200, targetRelativeHalfWidth: 0.02, shard: "1/2"),
            size: SizeFigures(fileBytes: 270_000, gzipBytes: 240_000, parameters: 266_610, nonZeroParameters: 266_000),
            loadSeconds: 0.004,
            memory: MemoryFigures(peakResidentBytes: 20 << 20, baselineResidentBytes: 10 << 20,
                                  allocationsPerInference: 0, runtimeBytes: 300_000),
            latency: [BatchLatency(batchSize: 1, latency: latency)],
            operators: [OperatorShare(kind: "linear-int8", callsPerRun: 3, secondsPerRun: 1.5e-6, share: 0.75),
                        OperatorShare(kind: "quantize", callsPerRun: 3, secondsPerRun: 0.5e-6, share: 0.25)],
            accuracy: AccuracyFigures(top1: 0.75, top5: 1, classification: classification),
            energy: EnergyFigures(modelled: EnergyModel.estimate(operations: operations, memoryTraffic: traffic),
                                  operations: operations, memoryTraffic: traffic,
                                  measuredJoules: nil, measuredUnavailableReason: "no RAPL"),
            compression: CompressionFigures(recipe: "int8-static", steps: [
                CompressionStepFigures(kind: "int8Static", summary: "calibrated", seconds: 1.5)]),
            layers: [LayerFigures(name: "fc1.weight", layerType: "linear", elements: 235_200, nonZero: 235_000,
                                  encoding: "affine8", valueBits: 8, storedBytes: 235_200, kernel: "int8")])
    }

    @Test func jsonRoundTripsWithStableSnakeCaseNames() throws {
        let record = try Self.record()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(record)
        #expect(try JSONDecoder().decode(BenchmarkRecord.self, from: data) == record)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == [
            "schema_version", "variant", "model_path", "model_sha256", "architecture", "recorded_at", "machine",
            "code_version", "settings", "size", "load_seconds", "memory", "latency", "operators", "accuracy",
            "energy", "compression", "layers",
        ])
        #expect(object["schema_version"] as? Int == BenchmarkRecord.currentSchemaVersion)
        let size = try #require(object["size"] as? [String: Any])
        #expect(size["float32_parameter_bytes"] as? Int == 4 * 266_610)
    }

    @Test func clockAndCyclesRoundTripAndOldRecordsDecodeWithoutThem() throws {
        var record = try Self.record()
        let clock = ClockFigures(medianHertz: 3.4e9, p5Hertz: 3.1e9, p95Hertz: 3.6e9, runs: 40)
        record.clock = clock
        record.latency = record.latency.map { BatchLatency(batchSize: $0.batchSize, latency: $0.latency, clock: clock) }
        #expect(record.latency[0].medianCycles == record.latency[0].latency.medianSeconds * 3.4e9)
        let data = try JSONEncoder().encode(record)
        #expect(try JSONDecoder().decode(BenchmarkRecord.self, from: data) == record)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let clockObject = try #require(object["clock"] as? [String: Any])
        #expect(Set(clockObject.keys) == ["median_hertz", "p5_hertz", "p95_hertz", "runs"])
        let latency = try #require((object["latency"] as? [[String: Any]])?.first)
        #expect(latency["median_cycles"] as? Double == record.latency[0].medianCycles)
        // Without a clock (older records) both are absent and decode as nil.
        let old = try JSONDecoder().decode(BenchmarkRecord.self, from: try JSONEncoder().encode(try Self.record()))
        #expect(old.clock == nil && old.latency[0].medianCycles == nil)
    }

    @Test func derivedFigures() throws {
        let record = try Self.record()
        #expect(record.latency(batchSize: 1)?.samplesPerSecond == 1 / 2e-6)
        #expect(record.latency(batchSize: 64) == nil)
        #expect(record.compression?.totalSeconds == 1.5)
        #expect(abs(record.layers[0].density - 235_000.0 / 235_200) < 1e-12)
    }
}
