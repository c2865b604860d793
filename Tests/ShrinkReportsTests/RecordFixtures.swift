import Foundation
import ShrinkMeasurement

/// Hand-made benchmark records with chosen figures.
enum RecordFixtures {
    struct Layer {
        var name: String
        var elements: Int
        var nonZero: Int
        var encoding: String
        var bits: Double
    }

    static let lenetLayers: [(String, Int)] = [("fc1.weight", 235_200), ("fc1.bias", 300), ("fc2.weight", 30_000),
                                                ("fc2.bias", 100), ("fc3.weight", 1_000), ("fc3.bias", 10)]

    /// A LeNet-300-100 record. `latencies` maps batch size to the median seconds (all five timed
    /// runs equal it); `int8MACs` sets the modelled energy.
    static func record(variant: String, fileBytes: Int, gzipBytes: Int, top1: Double?, latencies: [Int: Double],
                       peakResidentBytes: Int? = 20_000_000, measuredJoules: Double? = nil,
                       compressionSeconds: Double? = 12.5, multiplyAccumulates: Double = 266_200,
                       density: Double = 1, bits: Double = 32, encoding: String = "float32",
                       operators: [(String, Double)] = [("linear-fp32", 2e-5), ("relu", 1e-6)]) -> BenchmarkRecord {
        let batchSizes = latencies.keys.sorted()
        let latency = batchSizes.map { size in
            BatchLatency(batchSize: size, latency: try! LatencySummary(
                samplesSeconds: Array(repeating: latencies[size]!, count: 5), warmUpRuns: 2, discardedRuns: 0,
                targetRelativeHalfWidth: 0.02))
        }
        let accuracy = top1.map { top1 -> AccuracyFigures in
            // Labels 0 0 1 1 2 2 3 3; predictions right on the first ⌊8 · top1⌋.
            let labels = [0, 0, 1, 1, 2, 2, 3, 3]
            let right = Int((Double(labels.count) * top1).rounded(.down))
            let predictions = labels.enumerated().map { index, label in index < right ? label : (label + 1) % 4 }
            let report = try! ClassificationMetrics.report(predictions: predictions, labels: labels, classCount: 4)
            return AccuracyFigures(top1: top1, top5: min(1, top1 + 0.015), classification: report)
        }
        let operations = OperationCounts(multiplyAccumulates: [.int8: multiplyAccumulates])
        let traffic = MemoryTraffic(sramBytes: 4_000, dramBytes: Double(fileBytes))
        let totalSeconds = operators.map(\.1).reduce(0, +)
        return BenchmarkRecord(
            variant: variant, modelPath: "runs/\(variant).shrink", modelSHA256: String(repeating: "0f", count: 32),
            architecture: "lenet-300-100", recordedAt: "2026-11-23T12:00:00Z",
            machine: MachineDescription(cpuModel: "AMD EPYC 9R14", logicalCores: 2, memoryBytes: 24 << 30,
                                        operatingSystem: "Linux 6.1", kernelPath: "avx512", hostName: "host"),
            codeVersion: "shrink 0.1.0",
            settings: BenchmarkSettings(dataset: "mnist", testSamples: 10_000, batchSizes: batchSizes, threads: 1,
                                        warmUpRuns: 2, maximumRuns: 200, targetRelativeHalfWidth: 0.02),
            size: SizeFigures(fileBytes: fileBytes, gzipBytes: gzipBytes, parameters: 266_610,
                              nonZeroParameters: Int(266_610 * density)),
            loadSeconds: 0.003,
            memory: MemoryFigures(peakResidentBytes: peakResidentBytes, baselineResidentBytes: 8_000_000,
                                  allocationsPerInference: 0, runtimeBytes: fileBytes),
            latency: latency,
            operators: operators.map { OperatorShare(kind: $0.0, callsPerRun: 3, secondsPerRun: $0.1, share: $0.1 / totalSeconds) },
            accuracy: accuracy,
            energy: EnergyFigures(modelled: EnergyModel.estimate(operations: operations, memoryTraffic: traffic),
                                  operations: operations, memoryTraffic: traffic, measuredJoules: measuredJoules,
                                  measuredUnavailableReason: measuredJoules == nil ? "no RAPL" : nil),
            compression: compressionSeconds.map {
                CompressionFigures(recipe: variant, steps: [CompressionStepFigures(kind: "step", summary: "did it", seconds: $0)])
            },
            layers: lenetLayers.map { name, elements in
                let isWeight = name.hasSuffix("weight")
                return LayerFigures(name: name, layerType: "linear", elements: elements,
                                    nonZero: isWeight ? Int(Double(elements) * density) : elements,
                                    encoding: isWeight ? encoding : "float32", valueBits: isWeight ? bits : 32,
                                    storedBytes: Int(Double(elements) * (isWeight ? bits * density : 32) / 8),
                                    kernel: isWeight ? encoding : "fp32")
            })
    }

    /// A realistic sweep of LeNet-300-100 variants (figures in the range this machine measures).
    static func sweep() -> [BenchmarkRecord] {
        [
            record(variant: "fp32", fileBytes: 1_067_200, gzipBytes: 985_000, top1: 0.9812,
                   latencies: [1: 41e-6, 64: 610e-6], compressionSeconds: nil,
                   operators: [("linear-fp32", 38e-6), ("relu", 1.5e-6), ("softmax", 0.6e-6)]),
            record(variant: "fp16", fileBytes: 534_100, gzipBytes: 470_000, top1: 0.9811,
                   latencies: [1: 43e-6, 64: 640e-6], compressionSeconds: 0.2, bits: 16, encoding: "float16",
                   operators: [("linear-fp16", 40e-6), ("relu", 1.5e-6), ("softmax", 0.6e-6)]),
            record(variant: "int8-static", fileBytes: 268_900, gzipBytes: 230_000, top1: 0.9805,
                   latencies: [1: 14e-6, 64: 190e-6], compressionSeconds: 1.4, multiplyAccumulates: 120_000, bits: 8,
                   encoding: "affine8", operators: [("linear-int8", 10e-6), ("quantize", 2.2e-6), ("relu", 1e-6), ("softmax", 0.6e-6)]),
            record(variant: "pruned-92", fileBytes: 190_400, gzipBytes: 150_300, top1: 0.9790,
                   latencies: [1: 19e-6, 64: 300e-6], compressionSeconds: 95.3, density: 0.08, bits: 32,
                   encoding: "float32+sparse", operators: [("linear-sparse", 16e-6), ("relu", 1.5e-6), ("softmax", 0.6e-6)]),
            record(variant: "deep-compression", fileBytes: 27_300, gzipBytes: 25_100, top1: 0.9803,
                   latencies: [1: 22e-6, 64: 350e-6], compressionSeconds: 310.7, multiplyAccumulates: 22_000,
                   density: 0.08, bits: 5, encoding: "palette5+sparse",
                   operators: [("linear-sparse-palette", 18e-6), ("relu", 1.5e-6), ("softmax", 0.6e-6)]),
            record(variant: "ternary", fileBytes: 70_400, gzipBytes: 61_000, top1: 0.9604,
                   latencies: [1: 12e-6, 64: 170e-6], compressionSeconds: 60.1, multiplyAccumulates: 100_000, bits: 2,
                   encoding: "ternary2", operators: [("linear-int8", 9e-6), ("quantize", 2e-6), ("relu", 1e-6)]),
        ]
    }
}
