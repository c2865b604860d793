import ArgumentParser
import Foundation
import ShrinkBenchmarking
import ShrinkKernels
import ShrinkNN

/// `shrink demo`: the whole flow in one command. Trains LeNet-300-100 and LeNet-5 on the
/// shipped MNIST (or reuses the baselines already in the folder), runs every built-in recipe on
/// each, writes and reloads every file, measures them side by side and writes the report with a
/// verdict per technique. Interrupted and re-run, it resumes from the finished variants.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train, compress with every built-in recipe, measure and report: the whole flow in one command.",
        discussion: """
            Writes into --output (default shrink-demo): the baselines and every variant as .shrink files, \
            results.db (every compression and measurement, also what a re-run resumes from), demo.json \
            (the settings and the baselines' SHA-256), report.md and report.html. A re-run with the same \
            settings reuses the baselines after checking their SHA-256 and reloading them, and skips every \
            variant the results store shows as finished whose file is unchanged. --quick trains briefly on \
            part of the data (a few minutes on two cores; indicative figures); the full run takes up to \
            about 20 minutes on two cores.
            """)

    @Flag(help: "Fewer epochs and fewer images: a few minutes on two cores, figures only indicative.")
    var quick = false

    @Option(help: "The folder to write into (created if missing; an existing demo folder is resumed).")
    var output = "shrink-demo"

    @Option(name: .customLong("model"), help: "A model to run (repeat for several; default: lenet-300-100 and lenet-5).")
    var models: [String] = []

    @OptionGroup var compute: ComputeOptions

    @Option(name: .customLong("data-dir"), help: "The folder holding MNIST (default: the repository's Data/mnist).")
    var dataDirectory: String?

    @OptionGroup var overwrite: OverwriteOptions

    /// The models run, in order.
    var selectedModels: [String] { models.isEmpty ? ["lenet-300-100", "lenet-5"] : models }

    func validate() throws {
        for model in selectedModels {
            guard ModelZoo.names.contains(model) else {
                throw ValidationError("unknown model '\(model)'; the models are \(ModelZoo.names.joined(separator: ", ")).")
            }
        }
        if Set(selectedModels).count != selectedModels.count { throw ValidationError("--model names a model twice.") }
        try Self.checkFolder(output, force: overwrite.force)
    }

    /// Throws unless `path` is a folder the demo may write into: a new folder in a writable
    /// folder, an earlier demo's folder, or an empty folder; any other existing folder only with
    /// `force` (the demo replaces its own file names there).
    static func checkFolder(_ path: String, force: Bool) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            try OutputPath.checkFolder(of: path, option: "--output")
            return
        }
        guard isDirectory.boolValue else { throw ValidationError("--output \(path) is a file; give a folder.") }
        try OutputPath.checkWritableFolder(path, option: "--output")
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if !contents.isEmpty, !contents.contains(DemoState.fileName), !force {
            throw ValidationError("--output \(path) is a folder that holds other files and no earlier demo; give an empty or new folder, or --force.")
        }
    }

    func run() throws {
        compute.applyForTraining()
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        let demo = DemoRun(
            configuration: quick ? .quick : .full, folder: output, models: selectedModels,
            threads: compute.threads ?? Parallelism.threadCount, memoryProbe: .childProcess(executable: executable),
            dataDirectory: dataDirectory)
        let report = try demo.run()
        print("")
        for line in report.headline() { print(line) }
    }
}
