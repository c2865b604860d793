import ArgumentParser
import CShrinkAllocationCounter
import Foundation
import ShrinkBenchmarking
import ShrinkData
import ShrinkKernels
import ShrinkMeasurement
import ShrinkResults

/// `shrink bench`: measures model files (size, load time, peak memory, latency per batch size,
/// per-operator time, accuracy, energy) into one `BenchmarkRecord` each; the latency of all
/// selected files and batch sizes is timed together in interleaved rounds unless
/// `--latency-order sequential`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure model files: size, load time, memory, latency, accuracy and energy.",
        discussion: """
            By default the latency of every file and batch size is timed together in interleaved rounds: \
            the machine's speed changes in phases lasting seconds, which would otherwise hit one variant's \
            whole measurement; interleaved, every variant's runs are spread over the whole measurement and see \
            the same phases, so the variants of one invocation are compared under the same conditions. Use --latency-order sequential for models \
            too large to keep loaded together. The latency protocol, memory method and energy rule are \
            described in docs/MEASUREMENT.md.
            """)

    @Argument(help: "The model files to measure (.shrink files, or .onnx files imported on the fly).")
    var files: [String] = []

    @OptionGroup(title: "ONNX import (for .onnx files)") var importing: ImportOptions

    @OptionGroup var data: DatasetOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var options: BenchOptions

    @Option(name: .customLong("name"),
            help: "A display name per file, in file order (repeat once per file; default: the file name).")
    var names: [String] = []

    @Option(help: "Run only share I of N of the files (1-based): files whose index % N == I − 1, e.g. --shard 2/4.",
            transform: { try Shard(parsing: $0) })
    var shard: Shard?

    @OptionGroup var results: ResultsDatabaseOptions

    @Flag(help: "Print the records as a JSON array.")
    var json = false

    @Flag(help: "Measure without the data set (models whose input is not the data set's, such as a VGG-16 head): no accuracy, latency on seeded random inputs.")
    var noAccuracy = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("Give at least one model file to measure.") }
        if !names.isEmpty && names.count != files.count {
            throw ValidationError("--name was given \(names.count) times for \(files.count) files: give it once per file, or not at all.")
        }
        if let table = options.energyTable {
            guard FileManager.default.fileExists(atPath: table) else { throw ValidationError("--energy-table \(table) does not exist.") }
            do {
                _ = try EnergyTable.load(path: table)
            } catch {
                throw ValidationError("--energy-table \(table): \(error)")
            }
        }
    }

    /// The (file, name) pairs this shard runs, in command-line order.
    func selectedFiles() -> [(path: String, name: String?)] {
        let all = files.enumerated().map { index, path in (path: path, name: names.isEmpty ? nil : names[index]) }
        return (shard ?? .whole).select(all)
    }

    /// The benchmark configuration the options describe.
    func benchmarkConfiguration(memoryProbe: MemoryProbeMethod) throws -> ModelBenchmark.Configuration {
        ModelBenchmark.Configuration(
            batchSizes: options.batchSizes.sizes, threads: compute.threads ?? Parallelism.threadCount,
            warmUpRuns: options.warmUp, minimumRuns: options.minimumRuns, maximumRuns: options.maximumRuns,
            targetRelativeHalfWidth: options.targetHalfWidth, minimumRunSeconds: options.minimumRunSeconds,
            profileRuns: options.profileRuns,
            testSampleLimit: options.testLimit,
            energyTable: try options.energyTable.map { try EnergyTable.load(path: $0) } ?? .horowitz45nm,
            shard: shard?.description, memoryProbe: memoryProbe, latencyOrder: options.latencyOrder,
            runsPerRound: options.runsPerRound)
    }

    func run() throws {
        compute.apply()
        let memoryProbe: MemoryProbeMethod
        if options.skipMemory {
            memoryProbe = .skipped(reason: "--skip-memory")
        } else {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
            memoryProbe = .childProcess(executable: executable)
        }
        let benchmark = try ModelBenchmark(configuration: try benchmarkConfiguration(memoryProbe: memoryProbe))
        let testSet = noAccuracy ? nil : try data.load(.test)
        let selection = selectedFiles()
        // Every file before the first is measured, so a typo in the last is not found minutes later.
        if let unreadable = selection.first(where: { !FileManager.default.isReadableFile(atPath: $0.path) }) {
            throw CommandFailure("cannot read \(unreadable.path)")
        }
        // An .onnx file is measured as its import, written as a Shrink file (size included).
        var cleanUps = [() -> Void]()
        defer { cleanUps.forEach { $0() } }
        let files = try selection.map { entry in
            let (path, cleanUp) = try importing.modelPath(for: entry.path)
            cleanUps.append(cleanUp)
            return ModelBenchmark.File(path: path, variant: entry.name ?? ModelBenchmark.defaultVariantName(path: entry.path))
        }
        var bar: ProgressBar? = nil
        // A shard can select no file (more shards than files): nothing to measure then.
        let records = files.isEmpty ? [] : try benchmark.measure(files: files, testSet: testSet, datasetName: data.dataset.rawValue) { progress in
            if bar == nil {
                let only = files.count == 1 ? files[0].variant ?? ModelBenchmark.defaultVariantName(path: files[0].path) : nil
                bar = ProgressBar(title: only.map { "bench \($0)" } ?? "bench \(files.count) files", total: progress.total)
            }
            bar?.update(completed: progress.completed, suffix: progress.variant.map { "\($0): \(progress.stage)" } ?? progress.stage)
        }
        bar?.finish()

        // Printed before recording: what was measured is shown even when the database fails.
        if json {
            try printJSON(records)
        } else {
            print(BenchReport(records: records).rendered())
        }
        let recorded = try results.record(records)
        if !json, let line = results.recordedLine(recorded) { print(line) }
    }
}

/// `shrink bench-probe`: the isolated child that reports peak memory for one file (hidden; run
/// by `shrink bench`). Prints one JSON object: baseline_resident_bytes, peak_resident_bytes,
/// allocations_per_inference (counted by the executable's malloc forwarders), …
struct BenchProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: MemoryProbe.subcommand,
        abstract: "Load one model file, run each batch size and print this process's peak memory as JSON.",
        shouldDisplay: false)

    @Argument(help: "The model file.")
    var file: String

    @Option(name: .customLong("batch"), help: "Batch sizes to run, comma-separated.")
    var batchSizes = BatchSizeList(sizes: [1])

    @Option(help: "Threads the runtime may use.")
    var threads = 1

    @Option(help: "Runs per batch size.")
    var runs = 3

    func validate() throws {
        if batchSizes.sizes.isEmpty || batchSizes.sizes.contains(where: { $0 < 1 }) {
            throw ValidationError("--batch needs batch sizes of at least 1, got \(batchSizes.defaultValueDescription).")
        }
        if threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
        if runs < 1 { throw ValidationError("--runs must be at least 1, got \(runs).") }
    }

    func run() throws {
        let report = try MemoryProbe.run(path: file, batchSizes: batchSizes.sizes, threads: threads, runsPerBatch: runs,
                                         allocationCounter: { shrink_allocation_count() })
        print(try MemoryProbe.encode(report))
    }
}
