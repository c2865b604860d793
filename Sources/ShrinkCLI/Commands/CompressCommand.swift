import ArgumentParser
import ShrinkBenchmarking
import Foundation
import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkMeasurement
import ShrinkNN
import ShrinkResults
import ShrinkTraining
import ShrinkReports

/// `shrink compress`: runs a compression recipe on a trained model file and writes the result.
struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Compress a trained model with a recipe (pruning, quantization, clustering, distillation).",
        discussion: """
            Built-in recipes: \(BuiltInRecipes.names.joined(separator: ", ")).
            Print one as JSON with --print-recipe NAME, edit it, and pass the file to --recipe.

            The output is a model file in which every tensor is stored in the encoding its \
            compression decided (docs/FORMAT.md): pruned tensors as sparse relative indices, \
            clustered ones as palette indices, quantized ones as integer codes, fp16 as halves, \
            Huffman-coded where that is smaller; `shrink inspect` shows what each tensor takes. \
            Loading it gives exactly the compressed network's values; static int8 files also \
            store the calibrated activation scales, which the runtime uses. The accuracy after \
            compression is measured by running the written file with the runtime (as `shrink \
            eval` does); the per-step figures of steps that quantize activations come from a \
            floating-point simulation and are labelled as such.
            """)

    @Argument(help: "The trained model file to compress (a .shrink file, or an .onnx file imported on the fly).")
    var file: String?

    @OptionGroup(title: "ONNX import (for an .onnx file)") var importing: ImportOptions

    @Option(help: "A built-in recipe name or a recipe .json file.")
    var recipe: String?

    @Option(help: "Print a built-in recipe as JSON and exit.")
    var printRecipe: String?

    @OptionGroup var data: DatasetOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var augmentation: AugmentationOptions
    @OptionGroup var results: ResultsDatabaseOptions

    @Option(help: "Where to write the compressed model file.")
    var output: String?

    @Option(help: "Also write the report as JSON to this path.")
    var reportJson: String?

    @OptionGroup var overwrite: OverwriteOptions

    @Flag(help: "Also store when the file was written and each step's seconds (without it, the same command, input and seed give byte-identical files).")
    var timestamp = false

    @Flag(help: "Print the report as JSON on standard output instead of tables.")
    var json = false

    @Option(help: "Use the first N training samples only (fine-tuning and calibration; quick runs).")
    var trainLimit: Int?

    @Option(help: "Measure accuracy on the first N test samples only (quick runs).")
    var testLimit: Int?

    @Option(help: "Seed of fine-tuning shuffles (overrides the recipe's fineTuning.seed).")
    var seed: UInt64?

    func validate() throws {
        if printRecipe != nil { return }
        guard file != nil else { throw ValidationError("Missing the model file to compress.") }
        guard recipe != nil else { throw ValidationError("Missing --recipe NAME|RECIPE.json.") }
        guard let output else { throw ValidationError("Missing --output OUT.") }
        if let trainLimit, trainLimit < 1 { throw ValidationError("--train-limit must be at least 1, got \(trainLimit).") }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be at least 1, got \(testLimit).") }
        // Every destination, before minutes of fine-tuning: the database is checked by its options.
        let inputs = [file].compactMap { $0 }
        try OutputPath.check(output, force: overwrite.force, inputs: inputs)
        if let reportJson { try OutputPath.check(reportJson, option: "--report-json", force: overwrite.force, inputs: inputs) }
        try OutputPath.checkDistinct([("--output", output), ("--report-json", reportJson),
                                      ("--database", results.isRecording ? results.database : nil)])
        if let input = inputs.first, results.isRecording, OutputPath.isSameFile(input, results.database) {
            throw ValidationError("--database \(results.database) is the input file; give another database path.")
        }
        if let problem = Self.recipeProblem(recipe ?? "") { throw ValidationError(problem) }
    }

    func run() throws {
        if let printRecipe {
            // With a model file, print the variant tuned for that model, if there is one.
            let model = try file.map { try ModelSource.read($0, importing: importing).graph.name }
            guard let builtIn = BuiltInRecipes.recipe(named: printRecipe, forModel: model) else {
                throw RecipeError.unknownBuiltIn(name: printRecipe, available: BuiltInRecipes.names)
            }
            print(try builtIn.jsonString())
            return
        }
        guard let file, let recipeArgument = recipe, let output else { return }
        compute.applyForTraining()
        let modelFile = try ModelSource.read(file, importing: importing)
        // Built-ins may have a variant tuned for this model (deep-compression follows the paper's
        // per-model tables).
        let resolved = try Self.resolveRecipe(recipeArgument, forModel: modelFile.graph.name)
        var recipe = resolved.recipe
        if let seed { recipe.fineTuning.seed = seed }
        _ = try RecipeRunner(recipe: recipe)

        let network = try GraphNetwork(file: modelFile)
        // A recipe file's layer patterns and skip entries must name layers of this model.
        try resolved.file?.checkNamePatterns(against: network)
        var training = try data.load(.train)
        if let trainLimit { training = training.prefix(trainLimit) }
        var test = try data.load(.test)
        if let testLimit { test = test.prefix(testLimit) }
        if let sample = modelFile.graph.inputs.first?.shape.sampleShape, sample.reduce(1, *) != training.sampleShape.reduce(1, *) {
            // A model whose input the data set does not fit (an imported model for other data):
            // post-training recipes calibrate on synthetic inputs; training needs real labels.
            let datasetSample = training.sampleShape
            guard !recipe.trainsWithLabels else {
                throw InputMismatchError(recipe: recipe.name, modelSample: sample, dataset: data.dataset.rawValue, datasetSample: datasetSample)
            }
            training = SyntheticInputs.dataset(sampleShape: sample, count: min(trainLimit ?? 2000, 2000), seed: seed ?? 0)
            test = training.prefix(0)
            FileHandle.standardError.write(Data((
                "warning: \(data.dataset.rawValue) samples are \(datasetSample) but the model "
                + "takes \(sample): calibrating on \(training.count) synthetic inputs (seeded, uniform in [0, 1)); "
                + "accuracy is not measured\n").utf8))
        }

        if !json {
            print("Compressing \(modelFile.graph.name) (\(file)) with recipe \(recipe.name): \(recipe.description)")
            print("Data: \(data.dataset.rawValue), \(training.count) training and \(test.count) test samples, "
                  + "\(compute.threads.map(String.init) ?? "all") threads"
                  + (recipe.trainsWithLabels && augmentation.augmentation(for: data.dataset) != nil
                     ? ", fine-tuning with crop-and-flip augmentation" : ""))
        }
        let display = CompressionProgressDisplay()
        let job = CompressionJob(
            recipe: recipe, threads: compute.threads ?? ProcessInfo.processInfo.activeProcessorCount, recordsTimes: timestamp,
            augmentation: augmentation.augmentation(for: data.dataset))
        let outcome = try job.run(
            modelFile: modelFile, network: network, training: training, test: test,
            progress: display.observe,
            stepStarted: { index, kind in display.stepStarted(index: index, kind: kind) },
            stepFinished: { outcome in
                display.finish()
                if !json { print(Self.renderStep(outcome)) }
            })
        var report = CompressionReport(
            input: file, output: output, recipe: recipe, dataset: data.dataset.rawValue,
            trainingSamples: training.count, testSamples: test.count, model: outcome.model,
            inputModel: modelFile.graph.name, result: outcome.result)
        report.accuracyBefore = outcome.accuracyBefore
        report.accuracyAfter = outcome.accuracyAfter
        let compression = outcome.compression
        try outcome.file.write(to: output)

        if let reportJson {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            // Written to a temporary name, then renamed: never a half-written report.
            do {
                try CompareCommand.writeReplacing(path: reportJson, text: String(decoding: try encoder.encode(report), as: UTF8.self))
            } catch {
                throw CommandFailure("Cannot write the report to \(reportJson) (the model file \(output) was written).")
            }
        }
        // Printed before recording: what was measured is shown even when the database fails.
        if json {
            try printJSON(report)
        } else {
            print(String(
                format: "%@ → %@: test error %@ → %@ (input and written files run by the runtime), weights %.2f %% sparse (%d of %d non-zero), %.1f s, %@",
                report.inputModel, output, report.errorBefore.map(percent) ?? "-", report.errorAfter.map(percent) ?? "-",
                report.weightSparsity * 100, report.weightNonZero, report.weightElements, report.totalSeconds,
                ReportFormatting.bytes(Self.fileBytes(output))))
        }
        // Recorded once the file is written (unless --no-record): the record describes that file.
        let recordedID = results.isRecording
            ? try results.record(compression: Self.runRecord(
                report: report, recipe: recipe, compression: compression, output: output,
                architecture: modelFile.graph.name, threads: compute.threads, seed: seed))
            : nil
        if !json, let line = results.recordedLine(recordedID.map { [$0] } ?? []) { print(line) }
    }

    /// The size of the file at `path` (nil when it cannot be read).
    static func fileBytes(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    }

    /// The results-store record of this run, from the written file and the report.
    static func runRecord(
        report: CompressionReport, recipe: Recipe, compression: CompressionSummary, output: String, architecture: String,
        threads: Int?, seed: UInt64?
    ) throws -> CompressionRunRecord {
        guard let data = FileManager.default.contents(atPath: output) else {
            throw CommandFailure("Cannot read back the written model file \(output) to record it.")
        }
        let bytes = [UInt8](data)
        let size = try ModelFileSize.measure(bytes: bytes, path: output)
        let fileName = (output as NSString).lastPathComponent
        let variant = fileName.hasSuffix(".shrink") ? String(fileName.dropLast(".shrink".count)) : fileName
        return CompressionRunRecord(
            recipe: recipe.name, recipeDefinition: try compactJSON(recipe.jsonString()), inputPath: report.input, outputPath: output,
            outputSHA256: SHA256.hexDigest(bytes), outputBytes: size.bytes, outputGzipBytes: size.gzipBytes,
            variant: variant, architecture: architecture,
            settings: CompressionRunSettings(
                dataset: report.dataset, trainingSamples: report.trainingSamples, testSamples: report.testSamples,
                threads: threads, seed: seed),
            steps: compression.steps.map { CompressionStepFigures(kind: $0.kind, summary: $0.summary, seconds: $0.seconds ?? 0) },
            accuracyBefore: report.accuracyBefore, accuracyAfter: report.accuracyAfter,
            weightElements: report.weightElements, weightNonZero: report.weightNonZero,
            machine: RunProvenance.machine(), codeVersion: RunProvenance.codeVersion,
            recordedAt: ModelMetadata.timestamp(for: Date()),
            inputSHA256: FileManager.default.contents(atPath: report.input).map { SHA256.hexDigest([UInt8]($0)) })
    }

    /// `json` on one line with sorted keys (for storing in a record).
    static func compactJSON(_ json: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// Why the recipe argument cannot be used (an unknown name, a bad recipe file), or nil.
    static func recipeProblem(_ argument: String) -> String? {
        switch Result(catching: { () throws(RecipeError) in try resolveRecipe(argument) }) {
        case .success: nil
        case let .failure(error): error.description
        }
    }

    /// A built-in by name, else a recipe file (a name ending in `.json` or an existing path),
    /// with the file when it is one (its layer patterns are checked against the model).
    static func resolveRecipe(_ argument: String, forModel model: String? = nil) throws(RecipeError) -> (recipe: Recipe, file: RecipeFile?) {
        if let builtIn = BuiltInRecipes.recipe(named: argument, forModel: model) { return (builtIn, nil) }
        if argument.hasSuffix(".json") || FileManager.default.fileExists(atPath: argument) {
            let file = try RecipeFile.load(path: argument)
            return (file.recipe, file)
        }
        throw RecipeError.unknownBuiltIn(name: argument, available: BuiltInRecipes.names)
    }

    /// The per-layer table and the summary line of one step.
    static func renderStep(_ outcome: RecipeStepOutcome) -> String {
        let report = outcome.report
        var table = TextTable([
            ("parameter", .left), ("type", .left), ("elements", .right), ("non-zero", .right), ("density", .right),
            ("bits", .right), ("clusters", .right), ("note", .left),
        ])
        for layer in report.layers {
            table.append([
                layer.parameter, layer.layerType, "\(layer.elements)", "\(layer.nonZero)", percent(1 - layer.sparsity),
                layer.bits.map(String.init) ?? "-", layer.clusters.map(String.init) ?? "-", layer.note ?? "",
            ])
        }
        let error = report.accuracyAfter.map { percent(1 - $0) } ?? "-"
        let summary = "step \(outcome.index + 1) \(report.kind): \(report.summary); test error after \(error) (in training, not the file); "
            + String(format: "%.1f s", outcome.seconds)
        // The note column is last and left-aligned: drop its padding.
        let rendered = table.rendered().split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in String(line.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
        return (report.layers.isEmpty ? "" : rendered + "\n") + summary + "\n"
    }
}

/// Shows the steps' long work as progress bars (standard error) and fine-tuning epochs as lines.
final class CompressionProgressDisplay {
    private var bar: ProgressBar?
    private var phase = ""
    private var epochs = 0

    func stepStarted(index: Int, kind: String) {
        finish()
        FileHandle.standardError.write(Data("step \(index + 1): \(kind)\n".utf8))
    }

    func observe(_ event: CompressionProgress) {
        switch event {
        case let .phaseStarted(step, phase, total):
            finish()
            self.phase = phase
            epochs = 0
            bar = ProgressBar(title: "\(step) \(phase)", total: total)
            bar?.update(completed: 0)
        case let .phaseAdvanced(_, _, completed, detail):
            bar?.update(completed: completed, suffix: detail)
        case let .fineTuningEpoch(step, summary):
            epochs += 1
            let isTrainingPhase = phase.contains("fine-tuning") || phase.contains("training")
            if isTrainingPhase { bar?.update(completed: epochs, suffix: String(format: "loss %.4f", summary.trainingLoss)) }
            if bar != nil, isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
            let error = summary.validationTop1Accuracy.map { percent(1 - $0) } ?? "-"
            let line = String(
                format: "  %@ epoch %d: train loss %.4f, test error %@, lr %.5f, %.1f s\n",
                step, summary.epoch, summary.trainingLoss, error, summary.learningRate, summary.trainingSeconds)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Ends the current bar's line.
    func finish() {
        bar?.finish()
        bar = nil
    }

    private var isTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
