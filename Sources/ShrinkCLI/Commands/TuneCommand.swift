import ArgumentParser
import Foundation
import ShrinkBenchmarking
import ShrinkCompression
import ShrinkFormats
import ShrinkNN
import ShrinkReports
import ShrinkResults
import ShrinkTuning

/// `shrink tune`: the best per-layer pruning (by magnitude and by units), weight sharing and
/// weight codes under the user's constraints, every candidate measured as a written file.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search per-layer pruning, weight sharing and weight codes for the best file that meets accuracy, size and latency constraints.",
        discussion: """
            Constraints are checked on the first --validation-size test samples (the trained model \
            never saw them); every candidate fine-tunes on the training split, and the chosen file \
            is reported on the rest of the test split, which the search never saw. Per layer, the \
            search sets the fraction of output units removed (structured pruning: a really smaller \
            network), the sparsity of magnitude pruning, and the coding of the weights left \
            (k-means palettes, or integer codes when latency or energy counts, or binary16); \
            distillation from the original model is a way to back off. \
            It starts from a per-layer sensitivity analysis, seeds one \
            candidate per accuracy budget, then refines the best candidate one layer at a time \
            (seeded), in generations. Each candidate is compressed, written, read back and run \
            by the runtime. Every evaluation is recorded in the results database (--database) as \
            it finishes, and a restarted run of the same search reuses them. --shard I/N \
            evaluates every N-th candidate of the next generation and stops: merge the shards' \
            databases (shrink results merge) and run the next round, or continue in one process \
            with --database MERGED --resume (scripts/cluster/ has Slurm and Kubernetes drivers). \
            --output-recipe writes the chosen recipe; `shrink compress FILE --recipe IT \
            --train-limit N` (N printed at the end) writes the same file again.
            """)

    @Argument(help: "The trained model file (a .shrink file, or an .onnx file imported on the fly).")
    var file: String

    @OptionGroup(title: "ONNX import (for an .onnx file)") var importing: ImportOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var compute: ComputeOptions

    @Option(help: "The most top-1 accuracy may fall, in percentage points, on the validation split.")
    var maxAccuracyDrop: Double = 0.5

    @Option(help: "The largest file, in bytes.")
    var maxSize: Int?

    @Option(help: "The slowest median latency of one batch, in milliseconds (at --batch).")
    var maxLatency: Double?

    @Option(help: "The batch size latency is measured at.")
    var batch: Int = 1

    @Option(help: "What to minimize among candidates that meet the constraints: size, latency (at --batch) or energy (modelled joules per sample, as shrink bench reports).")
    var objective: TuningObjective = .size

    @Option(help: "The most candidates to evaluate.")
    var budgetEvaluations: Int = 30

    @Option(help: "The most minutes of evaluation (runs then depend on machine speed; an evaluation budget does not).")
    var budgetMinutes: Double?

    @Option(help: "Seed of the search and of fine-tuning shuffles.")
    var seed: UInt64 = 0

    @Option(help: "Fine-tuning epochs after each of the 3 pruning iterations of a candidate.")
    var fineTuneEpochs: Int = 2

    @Option(help: "Starting learning rate of every fine-tuning (cosine schedule to 0).")
    var fineTuneLearningRate: Float = 0.05

    @Option(help: "Test samples (from the start) the constraints are checked on; the rest report the chosen file.")
    var validationSize: Int = 5000

    @Option(help: "Fine-tune on the first N training samples only.")
    var trainLimit: Int?

    @Option(help: "Candidates drawn per generation of the refinement (shards split each generation).")
    var generationSize: Int = 4

    @Option(help: "Evaluate only share I of N of each generation (1-based), then stop after the first generation that needs the other shards' evaluations.",
            transform: { try Shard(parsing: $0) })
    var shard: Shard?

    @Flag(inversion: .prefixedNo,
          help: "Let the search remove whole output units (filters) of layers that can lose them alone (structured pruning).")
    var structuredPruning = true

    @Flag(help: "Require the database to hold evaluations of this search already (e.g. the shards' merged database), and continue from them.")
    var resume = false

    @OptionGroup(title: "Results database (every evaluation is recorded in it and reused by a restarted run)")
    var results: ResultsDatabaseOptions

    @Option(help: "Write the chosen candidate's recipe to this path.")
    var outputRecipe: String?

    @Option(help: "Write the chosen candidate's model file to this path.")
    var output: String?

    @Option(help: "Write an HTML page with the candidates' accuracy against size (and latency, energy) and the front.")
    var html: String?

    @OptionGroup var overwrite: OverwriteOptions

    @Flag(help: "Print the result as JSON on standard output instead of tables.")
    var json = false

    func validate() throws {
        guard maxAccuracyDrop >= 0, maxAccuracyDrop.isFinite else { throw ValidationError("--max-accuracy-drop must be ≥ 0 points.") }
        if let maxSize, maxSize < 1 { throw ValidationError("--max-size must be at least 1 byte.") }
        if let maxLatency, !(maxLatency > 0) { throw ValidationError("--max-latency must be a positive number of milliseconds.") }
        if batch < 1 { throw ValidationError("--batch must be at least 1.") }
        if budgetEvaluations < 1 { throw ValidationError("--budget-evaluations must be at least 1.") }
        if let budgetMinutes, !(budgetMinutes > 0) { throw ValidationError("--budget-minutes must be positive.") }
        if fineTuneEpochs < 0 { throw ValidationError("--fine-tune-epochs must be ≥ 0.") }
        if !(fineTuneLearningRate > 0 && fineTuneLearningRate.isFinite) { throw ValidationError("--fine-tune-learning-rate must be positive.") }
        if validationSize < 1 { throw ValidationError("--validation-size must be at least 1.") }
        if let trainLimit, trainLimit < 1 { throw ValidationError("--train-limit must be at least 1, got \(trainLimit).") }
        if let outputRecipe { try OutputPath.check(outputRecipe, option: "--output-recipe", force: overwrite.force, inputs: [file]) }
        if let output { try OutputPath.check(output, force: overwrite.force, inputs: [file]) }
        if let html { try OutputPath.check(html, option: "--html", force: overwrite.force, inputs: [file]) }
        if generationSize < 1 { throw ValidationError("--generation-size must be at least 1.") }
        if resume {
            guard results.isRecording else { throw ValidationError("--resume continues from --database; it cannot go with --no-record.") }
            guard FileManager.default.fileExists(atPath: results.database) else {
                throw ValidationError("--resume: there is no database at \(results.database) to continue from.")
            }
        }
        if let shard, !shard.isWhole, !results.isRecording {
            throw ValidationError("--shard \(shard) records its share in --database for the next round; it cannot go with --no-record.")
        }
        try OutputPath.checkDistinct([("--output", output), ("--output-recipe", outputRecipe), ("--html", html),
                                      ("--database", results.isRecording ? results.database : nil)])
    }

    func run() throws {
        compute.applyForTraining()
        let threads = compute.threads ?? ProcessInfo.processInfo.activeProcessorCount
        let modelFile = try ModelSource.read(file, importing: importing)
        var training = try data.load(.train)
        if let trainLimit { training = training.prefix(trainLimit) }
        let test = try data.load(.test)
        guard test.count > validationSize else {
            throw CommandFailure("--validation-size \(validationSize) leaves none of the \(test.count) test samples to report on.")
        }
        let validation = test.prefix(validationSize), reported = test.suffix(from: validationSize)
        let search = TuningSearch(
            constraints: TuningConstraints(maximumAccuracyDrop: maxAccuracyDrop / 100, maximumBytes: maxSize,
                                           maximumLatencySeconds: maxLatency.map { $0 / 1000 }, batchSize: batch),
            objective: objective, space: TuningSpace(unitFractions: structuredPruning ? TuningSpace().unitFractions : []),
            maximumEvaluations: budgetEvaluations, maximumMinutes: budgetMinutes,
            fineTuneEpochs: fineTuneEpochs, seed: seed, threads: threads, generationSize: generationSize, shard: shard ?? .whole,
            fineTuneLearningRate: fineTuneLearningRate)
        var opened: TuningJournal?
        if results.isRecording {
            let store = try ResultsStore(path: results.database)
            let journal = try TuningJournal(store: store, header: search.journalHeader(file: modelFile, training: training, validation: validation),
                                            shard: shard?.description)
            if resume && journal.evaluations.isEmpty {
                throw TuningError.nothingToResume(path: results.database, otherSearches: try store.tuningSearches().count)
            }
            if !journal.evaluations.isEmpty {
                FileHandle.standardError.write(Data("tune: \(journal.evaluations.count) evaluations of this search in \(results.database) will be reused\n".utf8))
            }
            opened = journal
        }
        var bar: ProgressBar?
        var best: (value: Double, signature: String)?
        let result = try search.run(file: modelFile, training: training, validation: validation, journal: opened) { progress in
            switch progress {
            case let .baseline(accuracy, bytes):
                FileHandle.standardError.write(Data(String(format: "tune: baseline %.2f %% on %d validation samples, %d bytes; sensitivity...\n",
                                                           accuracy * 100, validation.count, bytes).utf8))
            case let .sensitivityFinished(points, reused):
                FileHandle.standardError.write(Data((reused
                    ? "tune: sensitivity of each layer read from the database (\(points) files measured before)\n"
                    : "tune: sensitivity of each layer measured (\(points) files)\n").utf8))
                bar = ProgressBar(title: "tune", total: budgetEvaluations)
            case let .generationStarted(generation, candidates, front):
                // The front so far (size, validation top-1, latency when measured), each generation.
                guard generation > 0 else { break }
                let points = front.map { evaluation in
                    [ReportFormatting.bytes(evaluation.measurement.fileBytes),
                     String(format: "%.2f %%", evaluation.measurement.validationAccuracy * 100),
                     evaluation.measurement.latencySeconds.map { TuningObjective.latency.formatted($0) }].compactMap { $0 }.joined(separator: " ")
                }
                bar?.note("tune: generation \(generation), \(candidates) candidates; front so far: " + points.joined(separator: " | "))
            case let .evaluated(index, _, evaluation, meets, reused):
                // The best so far by the objective (bytes, latency or modelled energy).
                let value = objective.value(of: evaluation.measurement)
                if meets, best.map({ value < $0.value }) ?? true { best = (value, evaluation.signature) }
                let current = best.map { "best \(objective.formatted($0.value)): \($0.signature)" } ?? "none meets the constraints yet"
                bar?.update(completed: index, suffix: (reused ? "(reused) " : "") + current)
            }
        }
        bar?.finish()
        var lines = [result.textReport()]
        if let html { try AtomicFile.write(Array(result.html().utf8), to: html) }
        // A shard that waits for the others has seen part of the search only: no outputs yet.
        let waiting = if case .waitingForShards = result.stop { true } else { false }
        if let chosen = result.chosen, !waiting {
            let recipe = chosen.candidate.recipe(fineTuneEpochs: fineTuneEpochs, learningRate: fineTuneLearningRate, seed: seed)
            if let outputRecipe { try AtomicFile.write(Array(try recipe.jsonString().utf8), to: outputRecipe) }
            if let output {
                // The file the search measured, or (when an earlier run or another shard measured
                // it) the chosen recipe run once more on the same data, which gives the same file;
                // its test accuracy is measured here, on the split the search never saw.
                let before: Double, after: Double
                if let bytes = result.chosenFile {
                    try AtomicFile.write(bytes, to: output)
                    before = try PlanEvaluation.evaluate(file: modelFile, testSet: reported, batchSize: 1000, threads: threads)!.accuracy.top1
                    after = try PlanEvaluation.evaluate(file: try ModelFile.decode(bytes), testSet: reported, batchSize: 1000,
                                                        threads: threads)!.accuracy.top1
                } else {
                    let job = CompressionJob(recipe: recipe, threads: threads, recordsTimes: false)
                    let outcome = try job.run(modelFile: modelFile, network: try GraphNetwork(file: modelFile), training: training,
                                              test: reported)
                    try outcome.file.write(to: output)
                    (before, after) = (outcome.accuracyBefore ?? 0, outcome.accuracyAfter ?? 0)
                }
                lines.append(String(format: "Test samples the search never saw: %.2f %% before, %.2f %% after (%d samples); written to %@",
                                    before * 100, after * 100, reported.count, output))
            }
            if let outputRecipe {
                lines.append("Reproduce: shrink compress \(file) --recipe \(outputRecipe)"
                    + (trainLimit.map { " --train-limit \($0)" } ?? "") + " --output OUT")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(TuningSummary(result)), as: UTF8.self))
        } else {
            print(lines.joined(separator: "\n"))
        }
        if result.chosen == nil && !waiting && (output != nil || outputRecipe != nil) {
            throw CommandFailure("no candidate meets the constraints, so nothing was written (the closest are listed above).")
        }
    }
}

extension TuningObjective: ExpressibleByArgument {}
