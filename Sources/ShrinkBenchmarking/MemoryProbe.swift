import Foundation
import ShrinkFormats
import ShrinkMeasurement
import ShrinkRuntime

/// What the memory probe child reports (JSON on its standard output).
public struct MemoryProbeReport: Codable, Equatable, Sendable {
    /// The child's resident set (`VmRSS`) before it loaded the model, in bytes.
    public var baselineResidentBytes: Int
    /// The child's resident high-water mark (`VmHWM`) after loading the model and running every
    /// batch size, in bytes.
    public var peakResidentBytes: Int
    /// The plan's weight and activation-buffer bytes after the largest batch.
    public var runtimeBytes: Int
    /// The batch sizes run.
    public var batchSizes: [Int]
    /// Runs per batch size.
    public var runsPerBatch: Int
    /// Heap allocations per steady-state batch-1 inference (mean over the counted runs), when
    /// the process could count them.
    public var allocationsPerInference: Int?
    /// The model's own resident memory: the child's `VmRSS` once the plan is built (the file
    /// read and released) and has run every batch size, minus `baselineResidentBytes`.
    public var modelResidentBytes: Int?

    /// Creates a report.
    public init(baselineResidentBytes: Int, peakResidentBytes: Int, runtimeBytes: Int, batchSizes: [Int], runsPerBatch: Int,
                allocationsPerInference: Int? = nil, modelResidentBytes: Int? = nil) {
        self.baselineResidentBytes = baselineResidentBytes
        self.peakResidentBytes = peakResidentBytes
        self.runtimeBytes = runtimeBytes
        self.batchSizes = batchSizes
        self.runsPerBatch = runsPerBatch
        self.allocationsPerInference = allocationsPerInference
        self.modelResidentBytes = modelResidentBytes
    }

    enum CodingKeys: String, CodingKey {
        case baselineResidentBytes = "baseline_resident_bytes"
        case peakResidentBytes = "peak_resident_bytes"
        case runtimeBytes = "runtime_bytes"
        case batchSizes = "batch_sizes"
        case runsPerBatch = "runs_per_batch"
        case allocationsPerInference = "allocations_per_inference"
        case modelResidentBytes = "model_resident_bytes"
    }
}

/// The peak-memory probe: run in a fresh child process (`shrink bench-probe`) so that its
/// `VmHWM` belongs to one model alone. (`wait4`'s `ru_maxrss` is useless here: it includes the
/// parent's high-water mark.)
public enum MemoryProbe {
    /// The hidden subcommand's name.
    public static let subcommand = "bench-probe"

    /// Runs of batch 1 whose allocations are counted (after `runsPerBatch` uncounted ones).
    public static let countedRuns = 100

    /// Loads the model at `path`, runs each batch size `runsPerBatch` times on zeros and reports
    /// this process's baseline and peak resident memory. Meant to run in a fresh process.
    ///
    /// - Parameter allocationCounter: the process's allocation count so far (the `shrink`
    ///   executable's malloc counter); when given, batch 1 is then run `runsPerBatch` times
    ///   uncounted and `countedRuns` times counted, and the mean count per run (rounded) is
    ///   reported as `allocationsPerInference`.
    public static func run(path: String, batchSizes: [Int], threads: Int, runsPerBatch: Int = 3,
                           allocationCounter: (() -> Int)? = nil) throws -> MemoryProbeReport {
        let baseline = try ProcessMemory.currentResidentBytes()
        let plan = try ExecutionPlan(file: try ModelFile.read(from: path), threads: threads, kernelSelection: .standard)
        let sampleSize = plan.inputShape.reduce(1, *), outputSize = plan.outputShape.reduce(1, *)
        for batch in batchSizes {
            let input = [Float](repeating: 0, count: batch * sampleSize)
            var output = [Float](repeating: 0, count: batch * outputSize)
            try input.withUnsafeBufferPointer { source in
                try output.withUnsafeMutableBufferPointer { target in
                    for _ in 0..<runsPerBatch { try plan.run(input: source, batch: batch, output: target) }
                }
            }
        }
        let peak = try ProcessMemory.peakResidentBytes()
        let modelResident = try ProcessMemory.currentResidentBytes() - baseline
        let runtimeBytes = plan.runtimeBytes
        var allocations: Int? = nil
        if let allocationCounter, allocationCounter() >= 0 {
            let input = [Float](repeating: 0, count: sampleSize)
            var output = [Float](repeating: 0, count: outputSize)
            try input.withUnsafeBufferPointer { source in
                try output.withUnsafeMutableBufferPointer { target in
                    for _ in 0..<runsPerBatch { try plan.run(input: source, batch: 1, output: target) }
                    let before = allocationCounter()
                    for _ in 0..<countedRuns { try plan.run(input: source, batch: 1, output: target) }
                    let after = allocationCounter()
                    allocations = Int((Double(after - before) / Double(countedRuns)).rounded())
                }
            }
        }
        return MemoryProbeReport(baselineResidentBytes: baseline, peakResidentBytes: peak, runtimeBytes: runtimeBytes,
                                 batchSizes: batchSizes, runsPerBatch: runsPerBatch, allocationsPerInference: allocations,
                                 modelResidentBytes: modelResident)
    }

    /// The command-line arguments of the probe subcommand for one file.
    public static func arguments(path: String, batchSizes: [Int], threads: Int) -> [String] {
        [subcommand, path, "--batch", batchSizes.map(String.init).joined(separator: ","), "--threads", "\(threads)"]
    }

    /// The report as the probe prints it (one JSON object, sorted keys).
    public static func encode(_ report: MemoryProbeReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    /// Parses what the probe printed.
    public static func decode(_ data: Data) throws -> MemoryProbeReport {
        do {
            return try JSONDecoder().decode(MemoryProbeReport.self, from: data)
        } catch {
            let text = String(decoding: data.prefix(200), as: UTF8.self)
            throw BenchmarkError.probeFailed(reason: "unreadable output \(text.debugDescription)")
        }
    }

    /// Spawns `executable` with the probe arguments, waits, and parses its output.
    public static func spawn(executable: String, path: String, batchSizes: [Int], threads: Int) throws -> MemoryProbeReport {
        let outputPath = NSTemporaryDirectory() + "/shrink-bench-probe-\(ProcessInfo.processInfo.globallyUniqueString).json"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let result = try ChildProcess.run(executable: executable,
                                          arguments: arguments(path: path, batchSizes: batchSizes, threads: threads),
                                          standardOutputPath: outputPath)
        guard result.succeeded else {
            let how = result.terminatingSignal.map { "killed by signal \($0)" } ?? "exit status \(result.exitStatus ?? -1)"
            throw BenchmarkError.probeFailed(reason: "\(executable) \(subcommand) \(path) ended with \(how)")
        }
        guard let data = FileManager.default.contents(atPath: outputPath) else {
            throw BenchmarkError.probeFailed(reason: "no output from \(executable) \(subcommand)")
        }
        return try decode(data)
    }
}

/// How `ModelBenchmark` measures peak memory.
public enum MemoryProbeMethod: Sendable, Equatable {
    /// Spawn `executable` (normally `/proc/self/exe`, the `shrink` binary) with the hidden
    /// `bench-probe` subcommand, once per file.
    case childProcess(executable: String)
    /// Leave the memory figures nil, for `reason`.
    case skipped(reason: String)

    /// The probe's report, or nil when skipped.
    func measure(path: String, batchSizes: [Int], threads: Int) throws -> MemoryProbeReport? {
        switch self {
        case let .childProcess(executable):
            return try MemoryProbe.spawn(executable: executable, path: path, batchSizes: batchSizes, threads: threads)
        case .skipped:
            return nil
        }
    }
}
