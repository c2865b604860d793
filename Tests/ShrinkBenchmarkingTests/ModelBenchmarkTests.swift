import Foundation
import ShrinkBenchmarking
import ShrinkData
import ShrinkFormats
import ShrinkMeasurement
import ShrinkRuntime
import Testing

@Suite("ModelBenchmark")
struct ModelBenchmarkTests {
    /// A short protocol so the tests stay fast (timing values are not asserted).
    static let fast = ModelBenchmark.Configuration(
        batchSizes: [1, 4], threads: 1, warmUpRuns: 1, minimumRuns: 1, maximumRuns: 3, targetRelativeHalfWidth: 0.5,
        minimumRunSeconds: 0.001, profileRuns: 2, loadRepetitions: 1, testSampleLimit: 5, accuracyBatchSize: 2, shard: "1/2")

    static let machine = MachineDescription(cpuModel: "test cpu", logicalCores: 2, memoryBytes: 1 << 30,
                                            operatingSystem: "Linux test", kernelPath: "portable", hostName: "host")

    @Test func benchmarkOfATinyModelFillsEveryField() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-bench")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try TinyModel.write(into: directory, int8: false)
        let benchmark = try ModelBenchmark(configuration: Self.fast, machine: Self.machine, codeVersion: "shrink test")
        var stages = [String]()
        let record = try benchmark.measure(path: path, testSet: TinyModel.samples(6), datasetName: "synthetic") {
            stages.append($0.stage)
        }
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(record.variant == "tiny")
        #expect(record.modelPath == path)
        // The file's own SHA-256 (`sha256sum`), not a hash of its digest.
        #expect(record.modelSHA256 == SHA256.hexDigest([UInt8](bytes)))
        #expect(record.architecture == "tiny-4-3-2")
        #expect(record.machine == Self.machine && record.codeVersion == "shrink test")
        #expect(record.size.fileBytes == bytes.count)
        #expect(record.size.gzipBytes > 0)
        #expect(record.size.parameters == 4 * 3 + 3 + 3 * 2 + 2)
        #expect(record.size.nonZeroParameters == record.size.parameters - 1)
        #expect(record.loadSeconds > 0)
        #expect(record.settings.testSamples == 5 && record.settings.dataset == "synthetic")
        #expect(record.settings.batchSizes == [1, 4] && record.settings.shard == "1/2")
        #expect(record.settings.minimumRunSeconds == 0.001)
        #expect(record.latency.allSatisfy { $0.latency.iterationsPerRun >= 1 })
        #expect(record.latency.map(\.batchSize) == [1, 4])
        for entry in record.latency {
            #expect(entry.latency.runs >= 1 && entry.latency.runs <= 3)
            #expect(entry.latency.medianSeconds > 0 && entry.samplesPerSecond > 0)
        }
        // The ReLU runs in fc1's step (fused): its time is in linear-float32.
        #expect(Set(record.operators.map(\.kind)) == ["identity", "linear-float32"])
        #expect(abs(record.operators.map(\.share).reduce(0, +) - 1) < 1e-9)
        #expect(record.operators.first { $0.kind == "linear-float32" }?.callsPerRun == 2)
        let accuracy = try #require(record.accuracy)
        #expect(accuracy.classification.samples == 5)
        #expect(accuracy.top5 == 1) // two classes: the label is always among the top two
        #expect(record.memory.peakResidentBytes == nil && record.memory.allocationsPerInference == nil)
        // fp32 weights as the kernels hold them, 4·117 bytes (fc1's 3 and fc2's 2 output columns
        // each in a 16-column panel: 4·16 + 3·16 floats, plus the biases 3 + 2) + the arena for
        // the largest batch, 4: fc1's output (3, shared by the fused ReLU) and fc2's (2) are live
        // together, each rounded up to 16 floats per sample (the flatten aliases the input).
        #expect(record.memory.runtimeBytes == 4 * 117 + 4 * 4 * (16 + 16))
        #expect(record.memory.modelResidentBytes != nil)
        let compression = try #require(record.compression)
        #expect(compression.recipe == "hand-made" && compression.steps.map(\.kind) == ["magnitudePruning", "quantization"])
        #expect(compression.totalSeconds == 1.75)
        #expect(record.layers.map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(record.layers.map(\.layerType) == ["linear", "linear", "linear", "linear"])
        #expect(record.layers.map(\.kernel) == ["float32", "float32", "float32", "float32"])
        #expect(record.layers[2].nonZero == 5 && record.layers[2].elements == 6)
        #expect(record.layers.allSatisfy { $0.storedBytes == 4 * $0.elements && $0.valueBits == 32 })
        // Interleaved by default: one round (3 runs per round, at most 3 runs) over both batch sizes.
        #expect(stages.first == "size" && stages.last == "done" && stages.contains("latency round 1/1, 2 of 2 measuring"))
        #expect(record.settings.latencyOrder == .interleaved && record.settings.runsPerRound == 3)
        #expect(record.latency.allSatisfy { $0.latency.rounds == 1 })
        // The record survives a JSON round trip.
        let decoded = try JSONDecoder().decode(BenchmarkRecord.self, from: JSONEncoder().encode(record))
        #expect(decoded == record)
    }

    @Test func modelledEnergyMatchesAHandCount() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-bench-energy")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try TinyModel.write(into: directory, int8: false)
        let benchmark = try ModelBenchmark(configuration: Self.fast, machine: Self.machine, codeVersion: "shrink test")
        let energy = try benchmark.measure(path: path, testSet: nil, datasetName: "none").energy
        // fc1 4→3 and fc2 3→2 in fp32: 12 + 6 MACs; biases 3 + 2 additions; ReLU 3 comparisons.
        #expect(energy.operations.multiplyAccumulates == [.fp32: 18])
        #expect(energy.operations.additions == [.fp32: 8])
        // DRAM: every weight byte the kernels read once: the fp32 panels with their zero columns
        // (4·16 + 3·16 floats) and the biases (3 + 2), 117 · 4 bytes; SRAM: each node that runs
        // reads its input and writes its output (the flatten aliases its input and moves nothing;
        // the ReLU fused into fc1's step still passes over fc1's output).
        #expect(energy.memoryTraffic.dramBytes == 468)
        let sramBytes: Double = 4 * (7 + 6 + 5) // fc1 4→3, relu 3→3, fc2 3→2
        #expect(energy.memoryTraffic.sramBytes == sramBytes)
        // Horowitz 45 nm: 18·(3.7 + 0.9) + 8·0.9 + (468/4)·640 + (72/4)·5 pJ.
        let compute: Double = 18 * (3.7 + 0.9) + 8 * 0.9
        let memory: Double = 117 * 640 + 18 * 5
        let expected = compute + memory
        #expect(abs(energy.modelled.totalPicojoules - expected) < 1e-9)
        #expect((energy.measuredJoules == nil) == (energy.measuredUnavailableReason != nil))
    }

    @Test func int8LayersCountInt8MultipliesAndInt32Additions() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-bench-int8")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try TinyModel.write(into: directory, int8: true)
        let benchmark = try ModelBenchmark(configuration: Self.fast, machine: Self.machine, codeVersion: "shrink test")
        let record = try benchmark.measure(path: path, testSet: TinyModel.samples(4), datasetName: "synthetic")
        #expect(record.layers[0].kernel == "int8" && record.layers[0].valueBits == 8)
        let operations = record.energy.operations
        #expect(operations.multiplies[.int8] == 12 && operations.additions[.int32] == 12)
        let fp32Multiplies: Double = 4 + 3 // quantize 4 inputs, dequantize 3 sums
        #expect(operations.multiplies[.fp32] == fp32Multiplies, "\(String(describing: operations.multiplies[.fp32]))")
        #expect(operations.multiplyAccumulates[.fp32] == 6) // fc2 stays fp32
        let plan = try ExecutionPlan(file: try ModelFile.read(from: path))
        #expect(record.energy.memoryTraffic.dramBytes == Double(plan.layerWeightBytes.reduce(0, +)))
        #expect(record.operators.contains { $0.kind == "linear-int8" })
    }

    @Test func invalidConfigurationsAreRejected() {
        let bad: [ModelBenchmark.Configuration] = [
            .init(batchSizes: []), .init(batchSizes: [0]), .init(batchSizes: [2, 2]), .init(threads: 0),
            .init(warmUpRuns: -1), .init(minimumRuns: 5, maximumRuns: 4), .init(targetRelativeHalfWidth: 0),
            .init(profileRuns: 0), .init(testSampleLimit: 0), .init(runsPerRound: 0),
        ]
        for configuration in bad {
            #expect(throws: BenchmarkError.self) { try ModelBenchmark(configuration: configuration, machine: Self.machine, codeVersion: "x") }
        }
    }

    @Test func missingFileFailsWithThePath() throws {
        let benchmark = try ModelBenchmark(configuration: Self.fast, machine: Self.machine, codeVersion: "x")
        let error = #expect(throws: BenchmarkError.self) {
            try benchmark.measure(path: "/nonexistent/model.shrink", testSet: nil, datasetName: "none")
        }
        #expect(error?.description.contains("/nonexistent/model.shrink") == true)
    }

    @Test func filesAreMeasuredTogetherInInterleavedRounds() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-bench-files")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = [ModelBenchmark.File(path: try TinyModel.write(into: directory, int8: false), variant: "float"),
                     ModelBenchmark.File(path: try TinyModel.write(into: directory, int8: true))]
        var configuration = Self.fast
        configuration.runsPerRound = 1 // fewer than 6 runs never converge: every target takes 3 rounds
        let benchmark = try ModelBenchmark(configuration: configuration, machine: Self.machine, codeVersion: "shrink test")
        var progress = [ModelBenchmark.Progress]()
        let records = try benchmark.measure(files: files, testSet: TinyModel.samples(6), datasetName: "synthetic") {
            progress.append($0)
        }
        #expect(records.map(\.variant) == ["float", "tiny-int8"])
        #expect(records.map(\.modelPath) == files.map(\.path))
        for record in records {
            #expect(record.latency.map(\.batchSize) == [1, 4])
            #expect(record.latency.allSatisfy { $0.latency.rounds == 3 && $0.latency.runs == 3 && $0.latency.medianSeconds > 0 })
            #expect(record.settings.latencyOrder == .interleaved && record.settings.runsPerRound == 1)
            #expect(record.accuracy?.classification.samples == 5)
        }
        #expect(records[1].layers[0].kernel == "int8")
        // The clock probe ran in the same rounds: one clock for both records, cycles = median × clock.
        let clock = try #require(records[0].clock)
        #expect(records[1].clock == clock && clock.runs == 3)
        #expect(clock.p5Hertz <= clock.medianHertz && clock.medianHertz <= clock.p95Hertz && clock.medianHertz > 1e6)
        for record in records {
            for latency in record.latency {
                #expect(latency.medianCycles == latency.latency.medianSeconds * clock.medianHertz)
            }
        }
        // Per-file stages name their variant; the rounds cover all four targets.
        let total = 2 * (5 + 2)
        #expect(progress.allSatisfy { $0.total == total })
        #expect(zip(progress, progress.dropFirst()).allSatisfy { $0.completed <= $1.completed })
        #expect(progress.last == ModelBenchmark.Progress(stage: "done", variant: nil, completed: total, total: total))
        let rounds = progress.filter { $0.stage.hasPrefix("latency round") }
        #expect(rounds.map(\.stage) == (1...3).map { "latency round \($0)/3, 4 of 4 measuring" })
        #expect(rounds.allSatisfy { $0.variant == nil && $0.completed == 6 })
        #expect(progress.filter { $0.stage == "accuracy" }.map(\.variant) == ["float", "tiny-int8"])
        #expect(progress.filter { $0.stage == "operators" }.map(\.completed) == [10, 12])
    }

    @Test func sequentialOrderMeasuresOneFileAfterAnother() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-bench-sequential")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = [ModelBenchmark.File(path: try TinyModel.write(into: directory, int8: false)),
                     ModelBenchmark.File(path: try TinyModel.write(into: directory, int8: true))]
        var configuration = Self.fast
        configuration.latencyOrder = .sequential
        let benchmark = try ModelBenchmark(configuration: configuration, machine: Self.machine, codeVersion: "shrink test")
        var stages = [String]()
        let records = try benchmark.measure(files: files, testSet: TinyModel.samples(6), datasetName: "synthetic") {
            stages.append(($0.variant.map { "\($0): " } ?? "") + $0.stage)
        }
        #expect(records.map(\.variant) == ["tiny", "tiny-int8"])
        for record in records {
            #expect(record.latency.map(\.batchSize) == [1, 4])
            #expect(record.latency.allSatisfy { $0.latency.rounds == nil && $0.latency.runs >= 1 })
            #expect(record.settings.latencyOrder == .sequential && record.settings.runsPerRound == nil)
            // Each file's clock is probed right after its latencies.
            let clock = try #require(record.clock)
            #expect(record.latency.allSatisfy { $0.medianCycles == $0.latency.medianSeconds * clock.medianHertz })
        }
        let perFile = ["size", "load", "accuracy", "latency batch 1", "latency batch 4", "operators", "memory"]
        #expect(stages == perFile.map { "tiny: \($0)" } + perFile.map { "tiny-int8: \($0)" } + ["done"])
        #expect(throws: BenchmarkError.self) { try benchmark.measure(files: [], testSet: nil, datasetName: "none") }
    }

    @Test func clockProbeFiguresInvertTheProbeTimes() throws {
        ClockProbe.operation() // the chain returns its length (checked inside)
        let additions = Double(ClockProbe.additionsPerOperation)
        let summary = try LatencySummary(samplesSeconds: [4e-4, 3e-4, 2e-4, 3e-4, 3e-4, 5e-4], warmUpRuns: 0,
                                         discardedRuns: 1, targetRelativeHalfWidth: 0.02)
        let clock = ClockProbe.figures(summary)
        #expect(clock.medianHertz == additions / summary.medianSeconds)
        #expect(clock.p5Hertz == additions / summary.p95Seconds && clock.p95Hertz == additions / summary.p5Seconds)
        #expect(clock.runs == 6)
    }

    @Test func variantNameIsTheFileNameWithoutExtension() {
        #expect(ModelBenchmark.defaultVariantName(path: "runs/mnist/lenet-300-100-int8.shrink") == "lenet-300-100-int8")
        #expect(ModelBenchmark.defaultVariantName(path: "model") == "model")
    }
}

@Suite("Memory probe and machine")
struct MemoryProbeTests {
    @Test func probeReportsPeakAtLeastBaselineAndRoundTrips() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-probe")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try TinyModel.write(into: directory, int8: false)
        let report = try MemoryProbe.run(path: path, batchSizes: [1, 3], threads: 1, runsPerBatch: 2)
        #expect(report.baselineResidentBytes > 0 && report.peakResidentBytes >= report.baselineResidentBytes)
        #expect(report.runtimeBytes == 4 * 117 + 4 * 3 * (16 + 16)) // weights + arena (see above)
        let text = try MemoryProbe.encode(report)
        #expect(text.contains("\"peak_resident_bytes\"") && text.contains("\"baseline_resident_bytes\""))
        #expect(try MemoryProbe.decode(Data(text.utf8)) == report)
        #expect(throws: BenchmarkError.self) { try MemoryProbe.decode(Data("Error: oops".utf8)) }
        #expect(MemoryProbe.arguments(path: "m.shrink", batchSizes: [1, 8], threads: 2)
            == ["bench-probe", "m.shrink", "--batch", "1,8", "--threads", "2"])
    }

    @Test func currentMachineIsDescribed() {
        let machine = MachineDescription.current()
        #expect(machine.logicalCores >= 1 && machine.memoryBytes > 0)
        #expect(machine.operatingSystem.hasPrefix("Linux"))
        #expect(["portable", "avx2", "avx512", "neon"].contains(machine.kernelPath))
        #expect(!machine.hostName.isEmpty && !machine.cpuModel.isEmpty)
    }

    @Test func codeVersionStartsWithTheProducer() {
        #expect(CodeVersion.current().hasPrefix(ModelMetadata.defaultProducer))
    }
}
