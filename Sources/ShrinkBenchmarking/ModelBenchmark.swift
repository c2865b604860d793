import Foundation
import ShrinkData
import ShrinkFormats
import ShrinkKernels
import ShrinkMeasurement
import ShrinkRuntime

/// Measures model files into one `BenchmarkRecord` each: sizes, load time, peak memory (in an
/// isolated child), latency per batch size, per-operator time, accuracy, modelled and measured
/// energy, the compression pipeline and one row per stored tensor. The latency of all files and
/// batch sizes is timed together in interleaved rounds by default (`LatencyOrder`).
public struct ModelBenchmark {
    /// How to measure.
    public struct Configuration: Sendable {
        /// Batch sizes whose latency is measured, in report order (each ≥ 1).
        public var batchSizes: [Int]
        /// Threads the runtime may use (≥ 1).
        public var threads: Int
        /// Untimed runs before timing each batch size (≥ 0).
        public var warmUpRuns: Int
        /// Kept timed runs before convergence is checked (≥ 1, ≤ `maximumRuns`).
        public var minimumRuns: Int
        /// Most kept timed runs per batch size.
        public var maximumRuns: Int
        /// Stop timing once the median's 95 % half-width is at most this fraction of it.
        public var targetRelativeHalfWidth: Double
        /// The shortest a timed run may last: runs time as many inferences back to back as it
        /// takes (0: one inference per run, dominated by timer noise at microsecond latencies).
        public var minimumRunSeconds: Double
        /// Profiled runs at the first batch size for the per-operator shares (≥ 1).
        public var profileRuns: Int
        /// Times the file is loaded; the median load time is reported (≥ 1).
        public var loadRepetitions: Int
        /// Test samples classified (nil: all).
        public var testSampleLimit: Int?
        /// Samples per forward pass when classifying the test set (≥ 1).
        public var accuracyBatchSize: Int
        /// Unit energies for the modelled energy.
        public var energyTable: EnergyTable
        /// The `--shard I/N` this run belongs to, recorded in the settings.
        public var shard: String?
        /// How peak memory is measured.
        public var memoryProbe: MemoryProbeMethod
        /// Where RAPL counters are read.
        public var raplRoot: String
        /// Whether the (file, batch size) latency targets are timed together in interleaved rounds
        /// (all files loaded at once) or one after another (one file loaded at a time).
        public var latencyOrder: LatencyOrder
        /// Kept timed runs per target and round when interleaved (≥ 1).
        public var runsPerRound: Int

        /// Creates a configuration; the defaults are `shrink bench`'s.
        public init(batchSizes: [Int] = [1, 8, 64], threads: Int = 1, warmUpRuns: Int = 10, minimumRuns: Int = 10,
                    maximumRuns: Int = 300, targetRelativeHalfWidth: Double = 0.02, minimumRunSeconds: Double = 0.01,
                    profileRuns: Int = 50,
                    loadRepetitions: Int = 3, testSampleLimit: Int? = nil, accuracyBatchSize: Int = 500,
                    energyTable: EnergyTable = .horowitz45nm, shard: String? = nil,
                    memoryProbe: MemoryProbeMethod = .skipped(reason: "not requested"),
                    raplRoot: String = "/sys/class/powercap", latencyOrder: LatencyOrder = .interleaved,
                    runsPerRound: Int = 3) {
            self.batchSizes = batchSizes
            self.threads = threads
            self.warmUpRuns = warmUpRuns
            self.minimumRuns = minimumRuns
            self.maximumRuns = maximumRuns
            self.targetRelativeHalfWidth = targetRelativeHalfWidth
            self.minimumRunSeconds = minimumRunSeconds
            self.profileRuns = profileRuns
            self.loadRepetitions = loadRepetitions
            self.testSampleLimit = testSampleLimit
            self.accuracyBatchSize = accuracyBatchSize
            self.energyTable = energyTable
            self.shard = shard
            self.memoryProbe = memoryProbe
            self.raplRoot = raplRoot
            self.latencyOrder = latencyOrder
            self.runsPerRound = runsPerRound
        }

        /// Throws `BenchmarkError.invalidConfiguration` for out-of-range values.
        public func validate() throws {
            func fail(_ name: String, _ reason: String) -> BenchmarkError { .invalidConfiguration(name: name, reason: reason) }
            guard !batchSizes.isEmpty else { throw fail("batchSizes", "needs at least one batch size") }
            if let bad = batchSizes.first(where: { $0 < 1 }) { throw fail("batchSizes", "\(bad) is not ≥ 1") }
            guard Set(batchSizes).count == batchSizes.count else { throw fail("batchSizes", "\(batchSizes) repeats a size") }
            guard threads >= 1 else { throw fail("threads", "must be ≥ 1, got \(threads)") }
            guard warmUpRuns >= 0 else { throw fail("warmUpRuns", "must be ≥ 0, got \(warmUpRuns)") }
            guard minimumRuns >= 1 else { throw fail("minimumRuns", "must be ≥ 1, got \(minimumRuns)") }
            guard maximumRuns >= minimumRuns else {
                throw fail("maximumRuns", "\(maximumRuns) is below the minimum of \(minimumRuns) runs")
            }
            guard minimumRunSeconds >= 0, minimumRunSeconds <= 10 else {
                throw fail("minimumRunSeconds", "must be between 0 and 10 seconds, got \(minimumRunSeconds)")
            }
            guard targetRelativeHalfWidth > 0, targetRelativeHalfWidth.isFinite else {
                throw fail("targetRelativeHalfWidth", "must be a positive fraction, got \(targetRelativeHalfWidth)")
            }
            guard profileRuns >= 1 else { throw fail("profileRuns", "must be ≥ 1, got \(profileRuns)") }
            guard loadRepetitions >= 1 else { throw fail("loadRepetitions", "must be ≥ 1, got \(loadRepetitions)") }
            if let testSampleLimit, testSampleLimit < 1 { throw fail("testSampleLimit", "must be ≥ 1, got \(testSampleLimit)") }
            guard accuracyBatchSize >= 1 else { throw fail("accuracyBatchSize", "must be ≥ 1, got \(accuracyBatchSize)") }
            guard runsPerRound >= 1 else { throw fail("runsPerRound", "must be ≥ 1, got \(runsPerRound)") }
        }
    }

    /// A model file to measure and its display name.
    public struct File: Sendable, Equatable {
        /// The model file's path.
        public var path: String
        /// The display name (nil: the file name without its extension).
        public var variant: String?

        /// Creates an entry.
        public init(path: String, variant: String? = nil) {
            self.path = path
            self.variant = variant
        }
    }

    /// A stage of the measurement, reported to the progress callback.
    public struct Progress: Sendable, Equatable {
        /// What is being measured, e.g. `accuracy`, `latency batch 8` (sequential) or
        /// `latency round 3/100, 4 of 6 measuring` (interleaved, over all files).
        public var stage: String
        /// The variant the stage is about (nil for a stage over all files).
        public var variant: String?
        /// Stages finished so far (an interleaved latency target counts as finished once it has
        /// converged or reached the run cap).
        public var completed: Int
        /// All stages of all files: (5 + batch sizes) per file.
        public var total: Int

        /// Creates a progress report.
        public init(stage: String, variant: String?, completed: Int, total: Int) {
            self.stage = stage
            self.variant = variant
            self.completed = completed
            self.total = total
        }
    }

    /// The settings.
    public let configuration: Configuration
    /// The machine description recorded in every record.
    public let machine: MachineDescription
    /// The code version recorded in every record.
    public let codeVersion: String

    /// Creates a benchmark; validates the configuration.
    public init(configuration: Configuration, machine: MachineDescription = .current(),
                codeVersion: String = CodeVersion.current()) throws {
        try configuration.validate()
        self.configuration = configuration
        self.machine = machine
        self.codeVersion = codeVersion
    }

    /// Measures the model file at `path` (`measure(files:)` with one file).
    ///
    /// - Parameters:
    ///   - variant: the display name (default: the file name without its extension).
    ///   - testSet: labelled samples for the accuracy figures and as latency inputs (nil: no
    ///     accuracy; latency inputs are then zeros).
    ///   - datasetName: recorded in the settings, e.g. `mnist`.
    ///   - progress: called before each stage.
    public func measure(path: String, variant: String? = nil, testSet: LabeledDataset?, datasetName: String,
                        progress: (Progress) -> Void = { _ in }) throws -> BenchmarkRecord {
        try measure(files: [File(path: path, variant: variant)], testSet: testSet, datasetName: datasetName,
                    progress: progress)[0]
    }

    /// Measures model files into one record each, in the order given.
    ///
    /// With `latencyOrder` `.interleaved`, every file is first sized, loaded and classified (all
    /// plans stay loaded), then the latency of every (file, batch size) target is timed together
    /// by `LatencyMeasurement.runInterleaved`, then each file's operators, memory and energy are
    /// measured. With `.sequential`, each file goes through every stage, with `LatencyMeasurement.run`
    /// per batch size, before the next is loaded.
    ///
    /// - Parameters:
    ///   - files: the files and display names (at least one).
    ///   - testSet: labelled samples for the accuracy figures and as latency inputs (nil: no
    ///     accuracy; latency inputs are then zeros).
    ///   - datasetName: recorded in the settings, e.g. `mnist`.
    ///   - progress: called before each stage.
    public func measure(files: [File], testSet: LabeledDataset?, datasetName: String,
                        progress: (Progress) -> Void = { _ in }) throws -> [BenchmarkRecord] {
        guard !files.isEmpty else { throw BenchmarkError.invalidConfiguration(name: "files", reason: "needs at least one model file") }
        let batchCount = configuration.batchSizes.count
        let total = files.count * (5 + batchCount)
        var completed = 0
        func report(_ stage: String, _ variant: String?) {
            progress(Progress(stage: stage, variant: variant, completed: completed, total: total))
            completed += 1
        }
        let samples = configuration.testSampleLimit.map { min($0, testSet?.count ?? 0) } ?? (testSet?.count ?? 0)
        let testSubset = testSet.map { $0.prefix(samples) }

        var records = [BenchmarkRecord]()
        switch configuration.latencyOrder {
        case .sequential:
            for file in files {
                let model = try prepare(file, testSet: testSubset, report: report)
                let (latencies, measured) = try sequentialLatency(plan: model.plan, testSet: testSubset) {
                    report("latency batch \($0)", model.variant)
                }
                // The clock right after this file's latencies (the nearest the sequential order gets).
                let clock = try clockFigures()
                var record = try record(model, latencies: latencies.map {
                    BatchLatency(batchSize: $0.batchSize, latency: $0.latency, clock: clock)
                }, measured: measured, testSet: testSubset, datasetName: datasetName, report: report)
                record.clock = clock
                records.append(record)
            }
        case .interleaved:
            let models = try files.map { try prepare($0, testSet: testSubset, report: report) }
            let latencyStart = completed
            let (latencies, measured, clock) = try interleavedLatency(plans: models.map(\.plan), testSet: testSubset) { round in
                // The last target is the clock probe: counted apart from the models.
                let models = round.targetCount - 1
                let active = round.activeTargets.filter { $0 < models }.count
                let finished = models - active
                progress(Progress(
                    stage: "latency round \(round.round)/\(round.maximumRounds), \(active) of \(models) measuring",
                    variant: nil, completed: latencyStart + finished, total: total))
            }
            completed = latencyStart + files.count * batchCount
            for (index, model) in models.enumerated() {
                var record = try record(model, latencies: latencies[index], measured: measured[index],
                                        testSet: testSubset, datasetName: datasetName, report: report)
                record.clock = clock
                records.append(record)
            }
        }
        progress(Progress(stage: "done", variant: nil, completed: total, total: total))
        return records
    }

    /// The file name without directories and extension.
    public static func defaultVariantName(path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// Loads the file and builds its plan `repetitions` times; returns the last plan, the
    /// median seconds, and the model's own resident memory: the process RSS after the last
    /// load (the file read, the plan built and the file released) minus the RSS before it
    /// (nil when /proc cannot be read).
    static func timedLoad(path: String, threads: Int, repetitions: Int) throws -> (ExecutionPlan, Double, Int?) {
        var times = [Double](), plan: ExecutionPlan? = nil, resident: Int? = nil
        let clock = MonotonicClock()
        // The file is a temporary: released when the plan is built (the plan keeps no reference).
        func load() throws -> ExecutionPlan {
            try ExecutionPlan(file: try ModelFile.read(from: path), threads: threads, kernelSelection: .standard)
        }
        for _ in 0..<repetitions {
            plan = nil
            let before = try? ProcessMemory.currentResidentBytes()
            let start = clock.nanoseconds()
            plan = try load()
            times.append(Double(clock.nanoseconds() &- start) / 1e9)
            if let before, let after = try? ProcessMemory.currentResidentBytes() { resident = after - before }
        }
        return (plan!, try Statistics.median(times), resident)
    }

    /// The plan's weight and activation-buffer bytes once its buffers are sized for `batch`
    /// (one run on zeros).
    static func runtimeBytes(plan: ExecutionPlan, batch: Int) throws -> Int {
        let input = [Float](repeating: 0, count: batch * plan.inputShape.reduce(1, *))
        var output = [Float](repeating: 0, count: batch * plan.outputShape.reduce(1, *))
        try input.withUnsafeBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { try plan.run(input: source, batch: batch, output: $0) }
        }
        return plan.runtimeBytes
    }

    /// Copies the file's compression metadata; nil when the file has none or does not record
    /// its steps' seconds (a reproducible file, written without `--timestamp`).
    static func compression(_ summary: CompressionSummary?) -> CompressionFigures? {
        guard let summary else { return nil }
        var steps = [CompressionStepFigures]()
        for step in summary.steps {
            guard let seconds = step.seconds else { return nil }
            steps.append(CompressionStepFigures(kind: step.kind, summary: step.summary, seconds: seconds))
        }
        return CompressionFigures(recipe: summary.recipe, steps: steps)
    }
}
