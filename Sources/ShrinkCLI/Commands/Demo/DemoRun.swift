import Foundation
import ShrinkBenchmarking
import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkMeasurement
import ShrinkNN
import ShrinkReports
import ShrinkResults
import ShrinkRuntime
import ShrinkTraining

/// What a demo run reports as it goes (a test interrupts a run by throwing from the observer).
enum DemoEvent: Equatable {
    case baselineReady(model: String, reused: Bool)
    case variantFinished(variant: String, reused: Bool)
    case measured(model: String, reused: Bool)
}

/// `shrink demo`'s work: train (or reuse) each baseline, run every recipe on it, write and
/// reload each variant, measure each model's files together with the benchmark harness, and
/// write the report. Every finished variant and measurement is recorded in the folder's results
/// store (`results.db`), and a re-run skips what the store shows as done for the same settings
/// and the same files on disk.
final class DemoRun {
    /// One model file of the demo: a baseline (no recipe) or a compressed variant.
    struct Variant {
        var model: String
        var recipe: Recipe?
        /// `lenet-5` for a baseline, `lenet-5-prune-90` for a variant.
        var name: String
        var path: String
    }

    let configuration: DemoConfiguration
    let folder: String
    let models: [String]
    let threads: Int
    let memoryProbe: MemoryProbeMethod
    let dataDirectory: String?
    /// Receives the lines meant for people (standard output in the command).
    let log: (String) -> Void
    /// Called after each baseline, variant and measurement; a throw stops the run there.
    let observer: (DemoEvent) throws -> Void

    /// The results store's file name inside the folder.
    static let databaseName = "results.db"
    /// The reports' file names inside the folder.
    static let markdownName = "report.md"
    static let htmlName = "report.html"

    init(configuration: DemoConfiguration, folder: String, models: [String], threads: Int, memoryProbe: MemoryProbeMethod,
         dataDirectory: String? = nil, log: @escaping (String) -> Void = { print($0) },
         observer: @escaping (DemoEvent) throws -> Void = { _ in }) {
        self.configuration = configuration
        self.folder = folder
        self.models = models
        self.threads = threads
        self.memoryProbe = memoryProbe
        self.dataDirectory = dataDirectory
        self.log = log
        self.observer = observer
    }

    /// The baseline and every variant of `model`, in report order.
    func variants(of model: String) throws -> [Variant] {
        let baseline = Variant(model: model, recipe: nil, name: model, path: folder + "/" + model + ".shrink")
        return [baseline] + (try configuration.recipes.map { name in
            guard let recipe = BuiltInRecipes.recipe(named: name, forModel: model) else {
                throw RecipeError.unknownBuiltIn(name: name, available: BuiltInRecipes.names)
            }
            return Variant(model: model, recipe: recipe, name: "\(model)-\(name)", path: folder + "/\(model)-\(name).shrink")
        })
    }

    /// Runs the whole demo and returns the report's content.
    @discardableResult
    func run() throws -> DemoReport {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = try ResultsStore(path: folder + "/" + Self.databaseName)
        var state = DemoState.load(folder: folder) ?? DemoState(configuration: configuration, baselines: [])
        state.configuration = configuration

        let directory = try dataDirectory ?? MNIST.defaultDirectory()
        var training = try MNIST.load(split: .train, from: directory)
        let fullTraining = training
        if let limit = configuration.trainingSampleLimit { training = training.prefix(limit) }
        var test = try MNIST.load(split: .test, from: directory)
        if let limit = configuration.testSampleLimit { test = test.prefix(limit) }

        let plan = try models.map { ($0, try variants(of: $0)) }
        let progress = DemoProgress(tasks: plan.flatMap { model, variants in
            variants.map { variant in
                let fineTuningCount = configuration.fineTuningSet(for: model, training: fullTraining).count
                let units = variant.recipe.map { DemoWorkEstimate.epochs(of: $0) * Double(fineTuningCount) }
                    ?? Double(TrainingDefaults.configuration(forModel: model, epochs: configuration.trainingEpochs, seed: configuration.seed).epochs * training.count)
                return DemoProgress.Task(label: variant.name, model: model, units: units)
            } + [DemoProgress.Task(label: "measure \(model)", model: nil, units: Double(variants.count))]
        })
        let fineTuningCounts: [String] = models.map { model in
            "\(configuration.fineTuningSet(for: model, training: fullTraining).count) (\(model))"
        }
        let summary = "\(models.joined(separator: ", ")); \(configuration.recipes.count) recipes each; training on \(training.count) images, "
            + "fine-tuning on \(fineTuningCounts.joined(separator: ", ")), accuracy on \(test.count); \(threads) threads"
        log("Demo (\(configuration.name)) in \(folder): " + summary)

        var taskIndex = 0
        var modelReports = [DemoReport.ModelSection]()
        for (model, variants) in plan {
            let baseline = try prepareBaseline(variants[0], state: &state, training: training, test: test,
                                               progress: progress, task: taskIndex)
            taskIndex += 1
            var compressions = [String: CompressionRunRecord]()
            let fineTuning = configuration.fineTuningSet(for: model, training: fullTraining)
            for variant in variants.dropFirst() {
                compressions[variant.name] = try compress(variant, baseline: baseline, store: store, fineTuning: fineTuning,
                                                          test: test, progress: progress, task: taskIndex)
                taskIndex += 1
            }
            let records = try measure(model: model, variants: variants, store: store, test: test, progress: progress, task: taskIndex)
            taskIndex += 1
            modelReports.append(try DemoReport.ModelSection(
                model: model, baseline: baseline, variants: variants, records: records, compressions: compressions))
        }
        let report = DemoReport(configuration: configuration, models: modelReports)
        try CompareCommand.writeReplacing(path: folder + "/" + Self.markdownName, text: report.markdown())
        try CompareCommand.writeReplacing(path: folder + "/" + Self.htmlName, text: report.html())
        log("Report: \(folder)/\(Self.markdownName) and \(folder)/\(Self.htmlName) (\(progress.timeLine))")
        return report
    }

    /// The baseline's file and state entry: reused when the folder holds one trained with the
    /// same settings whose bytes still have the recorded SHA-256 and that loads and compiles;
    /// trained otherwise.
    func prepareBaseline(_ variant: Variant, state: inout DemoState, training: LabeledDataset, test: LabeledDataset,
                         progress: DemoProgress, task: Int) throws -> DemoState.Baseline {
        let fileName = variant.model + ".shrink"
        if let entry = state.baselines.first(where: { $0.model == variant.model && $0.file == fileName }),
           entry.trainingKey == configuration.trainingKey, Self.verifies(path: variant.path, sha256: entry.sha256) {
            progress.finish(task, seconds: nil)
            log("\(progress.counter(task)) \(variant.model): reusing the trained baseline (SHA-256 and reload checked), "
                + "test error \(entry.testAccuracy.map { percent(1 - $0) } ?? "-"); \(progress.timeLine)")
            try observer(.baselineReady(model: variant.model, reused: true))
            return entry
        }
        let configuration = TrainingDefaults.configuration(
            forModel: variant.model, epochs: self.configuration.trainingEpochs, seed: self.configuration.seed)
        log("\(progress.counter(task)) \(variant.model): training \(configuration.epochs) epochs on \(training.count) images")
        let job = TrainingJob(
            model: variant.model, datasetName: "mnist", configuration: configuration,
            optimizerDescription: TrainingDefaults.optimizerDescription(configuration), recordsTimes: false)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = try job.run(training: training, test: test) { [log] event in
            if case let .epochFinished(summary) = event {
                log(String(format: "      epoch %d: train loss %.4f, test error %@, %.1f s", summary.epoch, summary.trainingLoss,
                           summary.validationTop1Accuracy.map { percent(1 - $0) } ?? "-", summary.trainingSeconds))
            }
        }
        try outcome.file.write(to: variant.path)
        let seconds = Self.seconds(clock.now - start)
        let bytes = try Self.bytes(variant.path)
        _ = try ExecutionPlan(file: try ModelFile.decode(bytes), threads: 1)
        let entry = DemoState.Baseline(
            model: variant.model, file: fileName, sha256: SHA256.hexDigest(bytes), trainingKey: self.configuration.trainingKey,
            trainingSeconds: seconds, testAccuracy: outcome.history.last?.validationTop1Accuracy)
        state.baselines.removeAll { $0.model == variant.model }
        state.baselines.append(entry)
        try state.save(folder: folder)
        progress.finish(task, seconds: seconds)
        log("\(progress.counter(task)) \(variant.model): trained in \(DemoProgress.duration(seconds)); \(progress.timeLine)")
        try observer(.baselineReady(model: variant.model, reused: false))
        return entry
    }

    /// The variant's compression record: the stored one when the store holds a run of the same
    /// recipe on the same baseline with the same data whose output is still on disk unchanged;
    /// otherwise the recipe is run, the file written, reloaded and recorded.
    func compress(_ variant: Variant, baseline: DemoState.Baseline, store: ResultsStore, fineTuning: LabeledDataset,
                  test: LabeledDataset, progress: DemoProgress, task: Int) throws -> CompressionRunRecord {
        var recipe = variant.recipe!
        recipe.fineTuning.seed = configuration.seed
        let definition = try CompressCommand.compactJSON(recipe.jsonString())
        if let finished = try finishedCompression(of: variant, definition: definition, baseline: baseline, store: store,
                                                  fineTuning: fineTuning, test: test) {
            progress.finish(task, seconds: nil)
            log("\(progress.counter(task)) \(variant.name): done in an earlier run (results store, file SHA-256 checked); \(progress.timeLine)")
            try observer(.variantFinished(variant: variant.name, reused: true))
            return finished
        }
        let input = try ModelFile.read(from: folder + "/" + baseline.file)
        let job = CompressionJob(recipe: recipe, threads: threads, recordsTimes: false)
        let outcome = try job.run(modelFile: input, network: try GraphNetwork(file: input), training: fineTuning, test: test)
        try outcome.file.write(to: variant.path)
        // Written, then read back and compiled: the file is what is measured.
        let bytes = try Self.bytes(variant.path)
        _ = try ExecutionPlan(file: try ModelFile.decode(bytes), threads: 1)
        var report = CompressionReport(
            input: folder + "/" + baseline.file, output: variant.path, recipe: recipe, dataset: "mnist",
            trainingSamples: fineTuning.count, testSamples: test.count, model: outcome.model, inputModel: variant.model,
            result: outcome.result)
        report.accuracyBefore = outcome.accuracyBefore
        report.accuracyAfter = outcome.accuracyAfter
        let record = try CompressCommand.runRecord(
            report: report, recipe: recipe, compression: outcome.compression, output: variant.path,
            architecture: variant.model, threads: threads, seed: configuration.seed)
        try store.record(compression: record)
        progress.finish(task, seconds: record.totalSeconds)
        log("\(progress.counter(task)) \(variant.name): \(String(format: "%.1f", record.totalSeconds)) s, test error "
            + "\(report.errorBefore.map(percent) ?? "-") → \(report.errorAfter.map(percent) ?? "-"), "
            + "\(ReportFormatting.bytes(record.outputBytes)); \(progress.timeLine)")
        try observer(.variantFinished(variant: variant.name, reused: false))
        return record
    }

    /// The newest stored compression of `variant` that this run would repeat exactly, if its
    /// output is still on disk with the recorded SHA-256.
    func finishedCompression(of variant: Variant, definition: String, baseline: DemoState.Baseline, store: ResultsStore,
                             fineTuning: LabeledDataset, test: LabeledDataset) throws -> CompressionRunRecord? {
        let candidates = try store.runs(filter: RunFilter(kind: .compress, variantContaining: variant.name, architecture: variant.model))
        guard let diskSHA = try? SHA256.hexDigest(Self.bytes(variant.path)) else { return nil }
        for summary in candidates where summary.variant == variant.name {
            let record = try store.compressionRecord(id: summary.id)
            if record.recipeDefinition == definition, record.inputSHA256 == baseline.sha256,
               record.settings.trainingSamples == fineTuning.count, record.settings.testSamples == test.count,
               record.settings.seed == configuration.seed, record.outputSHA256 == diskSHA {
                return record
            }
        }
        return nil
    }

    /// Every file of `model` measured together (latency interleaved), or the stored records when
    /// the store already holds a measurement of each file's current bytes with these settings.
    func measure(model: String, variants: [Variant], store: ResultsStore, test: LabeledDataset,
                 progress: DemoProgress, task: Int) throws -> [BenchmarkRecord] {
        let settings = configuration.benchmark
        var stored = [BenchmarkRecord]()
        for variant in variants {
            guard let sha = try? SHA256.hexDigest(Self.bytes(variant.path)) else { break }
            let runs = try store.runs(filter: RunFilter(kind: .bench, variantContaining: variant.name, architecture: nil))
            let match = try runs.lazy.filter { $0.variant == variant.name }.map { try store.benchmarkRecord(id: $0.id) }.first {
                $0.modelSHA256 == sha && $0.settings.testSamples == test.count && $0.settings.batchSizes == settings.batchSizes
                    && $0.settings.threads == self.threads && $0.settings.maximumRuns == settings.maximumRuns
            }
            guard let match else { break }
            stored.append(match)
        }
        if stored.count == variants.count {
            progress.finish(task, seconds: nil)
            log("\(progress.counter(task)) \(model): \(variants.count) files measured in an earlier run (results store); \(progress.timeLine)")
            try observer(.measured(model: model, reused: true))
            return stored
        }
        log("\(progress.counter(task)) \(model): measuring \(variants.count) files (size, memory, latency at batch "
            + settings.batchSizes.map(String.init).joined(separator: " and ") + ", accuracy, energy)")
        let benchmark = try ModelBenchmark(configuration: ModelBenchmark.Configuration(
            batchSizes: settings.batchSizes, threads: threads, warmUpRuns: settings.warmUpRuns,
            minimumRuns: settings.minimumRuns, maximumRuns: settings.maximumRuns,
            minimumRunSeconds: settings.minimumRunSeconds, profileRuns: settings.profileRuns,
            memoryProbe: memoryProbe, runsPerRound: settings.runsPerRound))
        let clock = ContinuousClock()
        let start = clock.now
        let records = try benchmark.measure(
            files: variants.map { ModelBenchmark.File(path: $0.path, variant: $0.name) }, testSet: test, datasetName: "mnist")
        try store.record(records)
        let seconds = Self.seconds(clock.now - start)
        progress.finish(task, seconds: seconds)
        log("\(progress.counter(task)) \(model): measured in \(DemoProgress.duration(seconds)); \(progress.timeLine)")
        try observer(.measured(model: model, reused: false))
        return records
    }

    /// Whether the file at `path` has this SHA-256 and loads into a runtime plan.
    static func verifies(path: String, sha256: String) -> Bool {
        guard let bytes = try? bytes(path), SHA256.hexDigest(bytes) == sha256,
              let file = try? ModelFile.decode(bytes), (try? ExecutionPlan(file: file, threads: 1)) != nil else { return false }
        return true
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        return [UInt8](data)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
