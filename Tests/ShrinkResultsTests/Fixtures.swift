import Foundation
import ShrinkMeasurement
@testable import ShrinkResults

/// A fresh directory under /tmp (mkdtemp); remove it with `removeTemporaryDirectory`.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/shrink-results-tests-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(created != nil, "mkdtemp failed")
    return String(cString: created!)
}

func removeTemporaryDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

enum Fixtures {
    static let machine = MachineDescription(cpuModel: "AMD EPYC 9R14", logicalCores: 2, memoryBytes: 24 << 30,
                                            operatingSystem: "Linux 6.1", kernelPath: "avx512", hostName: "node-1")

    /// A complete benchmark record; `variant`, `top1` and `shard` vary between fixtures.
    static func benchmark(variant: String = "int8-static", top1: Double = 0.75, shard: String? = nil,
                          recordedAt: String = "2026-11-23T12:00:00Z") throws -> BenchmarkRecord {
        let latency1 = try LatencySummary(samplesSeconds: [2e-6, 2.1e-6, 1.9e-6, 2e-6, 2.05e-6], warmUpRuns: 3,
                                          discardedRuns: 1, targetRelativeHalfWidth: 0.02)
        let latency64 = try LatencySummary(samplesSeconds: [6.4e-5, 6.5e-5, 6.3e-5], warmUpRuns: 3,
                                           discardedRuns: 0, targetRelativeHalfWidth: 0.02)
        let classification = try ClassificationMetrics.report(predictions: [0, 1, 1, 2], labels: [0, 1, 2, 2], classCount: 3)
        let operations = OperationCounts(multiplyAccumulates: [.int8: 266_200])
        let traffic = MemoryTraffic(sramBytes: 4_000, dramBytes: 270_000)
        return BenchmarkRecord(
            variant: variant, modelPath: "runs/\(variant).shrink", modelSHA256: String(repeating: "ab", count: 32),
            architecture: "lenet-300-100", recordedAt: recordedAt, machine: machine,
            codeVersion: "shrink 0.1.0 (abc1234)",
            settings: BenchmarkSettings(dataset: "mnist", testSamples: 4, batchSizes: [1, 64], threads: 1, warmUpRuns: 3,
                                        maximumRuns: 200, targetRelativeHalfWidth: 0.02, shard: shard),
            size: SizeFigures(fileBytes: 270_000, gzipBytes: 240_000, parameters: 266_610, nonZeroParameters: 266_000),
            loadSeconds: 0.004,
            memory: MemoryFigures(peakResidentBytes: 20 << 20, baselineResidentBytes: 10 << 20,
                                  allocationsPerInference: 0, runtimeBytes: 300_000),
            latency: [BatchLatency(batchSize: 1, latency: latency1), BatchLatency(batchSize: 64, latency: latency64)],
            operators: [OperatorShare(kind: "linear-int8", callsPerRun: 3, secondsPerRun: 1.5e-6, share: 0.75)],
            accuracy: AccuracyFigures(top1: top1, top5: 1, classification: classification),
            energy: EnergyFigures(modelled: EnergyModel.estimate(operations: operations, memoryTraffic: traffic),
                                  operations: operations, memoryTraffic: traffic,
                                  measuredJoules: nil, measuredUnavailableReason: "no RAPL"),
            compression: CompressionFigures(recipe: "int8-static", steps: [
                CompressionStepFigures(kind: "int8Static", summary: "calibrated, \"quoted\"", seconds: 1.5)]),
            layers: [LayerFigures(name: "fc1.weight", layerType: "linear", elements: 235_200, nonZero: 235_000,
                                  encoding: "affine8", valueBits: 8, storedBytes: 235_200, kernel: "int8")])
    }

    static func compression(recordedAt: String = "2026-11-23T11:00:00Z") -> CompressionRunRecord {
        CompressionRunRecord(
            recipe: "prune-50", recipeDefinition: #"{"name":"prune-50","version":1}"#,
            inputPath: "runs/base.shrink", outputPath: "runs/pruned.shrink", outputSHA256: String(repeating: "cd", count: 32),
            outputBytes: 150_000, outputGzipBytes: 120_000, variant: "pruned", architecture: "lenet-300-100",
            settings: CompressionRunSettings(dataset: "mnist", trainingSamples: 640, testSamples: 300, threads: 1, seed: 2),
            steps: [CompressionStepFigures(kind: "magnitudePruning", summary: "50 % of weights", seconds: 2.5),
                    CompressionStepFigures(kind: "float16", summary: "halves", seconds: 0.25)],
            accuracyBefore: 0.9, accuracyAfter: 0.88, weightElements: 266_200, weightNonZero: 133_100,
            machine: machine, codeVersion: "shrink 0.1.0", recordedAt: recordedAt)
    }
}
