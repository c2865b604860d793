import ArgumentParser
import Foundation
import ShrinkFormats
import ShrinkTuning

/// `shrink sensitivity`: per-layer sensitivity to pruning (magnitude and structured),
/// quantization and clustering, each
/// layer compressed alone and measured as a written file.
struct SensitivityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensitivity",
        abstract: "Per-layer sensitivity: each layer alone pruned (by magnitude or by units), quantized or clustered over a range, measured as a written file.",
        discussion: """
            For every weight layer (Linear, convolution), and every setting of each technique, \
            the layer alone is compressed from the original weights with no retraining, the \
            model is written as a model file, read back and run by the runtime on the test \
            split. The tables give each point's top-1 accuracy and, per layer, the most it \
            tolerates within --maximum-drop of the baseline (Deep Compression, figure 6). \
            --html writes the curves as a chart page; --json prints every point for programs.
            """)

    @Argument(help: "The trained model file (a .shrink file, or an .onnx file imported on the fly).")
    var file: String

    @OptionGroup(title: "ONNX import (for an .onnx file)") var importing: ImportOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var compute: ComputeOptions

    @Option(help: "Sparsities to prune each layer to, comma-separated fractions in (0, 1).")
    var sparsities: String = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95"

    @Option(help: "Fractions of each layer's output units (filters) to remove by structured pruning, comma-separated, in (0, 1).")
    var unitFractions: String = "0.125,0.25,0.375,0.5,0.625,0.75"

    @Option(help: "Bit widths of linear weight quantization, comma-separated (2...16).")
    var quantizationBits: String = "2,3,4,5,6,8"

    @Option(help: "Bit widths of k-means weight sharing (palette indices), comma-separated (1...16).")
    var clusteringBits: String = "2,3,4,5,6,8"

    @Option(help: "Techniques to sweep, comma-separated: pruning, structured-pruning, quantization, clustering.")
    var techniques: String = "pruning,structured-pruning,quantization,clustering"

    @Option(help: "The accuracy drop, in percentage points, a layer may show and still count as tolerating a setting.")
    var maximumDrop: Double = 1.0

    @Option(help: "Measure on the first N test samples only (quick runs).")
    var testLimit: Int?

    @Option(help: "Also write the curves and tables as a self-contained HTML page to this path.")
    var html: String?

    @OptionGroup var overwrite: OverwriteOptions

    @Flag(help: "Print every point as JSON on standard output instead of tables.")
    var json = false

    /// The sweep the options describe.
    func sweep() throws -> SensitivityConfiguration {
        func list<Value>(_ text: String, option: String, _ parse: (String) -> Value?) throws -> [Value] {
            let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return try parts.map { part in
                guard let value = parse(part) else { throw ValidationError("\(option): '\(part)' is not a valid value.") }
                return value
            }
        }
        let configuration = SensitivityConfiguration(
            sparsities: try list(sparsities, option: "--sparsities") { Double($0) },
            unitFractions: try list(unitFractions, option: "--unit-fractions") { Double($0) },
            quantizationBits: try list(quantizationBits, option: "--quantization-bits") { Int($0) },
            clusteringBits: try list(clusteringBits, option: "--clustering-bits") { Int($0) },
            techniques: try list(techniques, option: "--techniques") { SensitivityTechnique(rawValue: $0) })
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return configuration
    }

    func validate() throws {
        _ = try sweep()
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be at least 1, got \(testLimit).") }
        guard maximumDrop >= 0, maximumDrop.isFinite else {
            throw ValidationError("--maximum-drop must be a non-negative number of points, got \(maximumDrop).")
        }
        if let html { try OutputPath.check(html, option: "--html", force: overwrite.force, inputs: [file]) }
    }

    func run() throws {
        compute.applyForTraining()
        let modelFile = try ModelSource.read(file, importing: importing)
        var test = try data.load(.test)
        if let testLimit { test = test.prefix(testLimit) }
        let analysis = SensitivityAnalysis(
            configuration: try sweep(), threads: compute.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var bar: ProgressBar?
        let report = try analysis.run(file: modelFile, testSet: test) { progress in
            switch progress {
            case let .started(points, layers, baseline):
                bar = ProgressBar(title: "sensitivity (\(layers) layers, baseline \(String(format: "%.2f", baseline * 100)) %)",
                                  total: points)
            case let .evaluated(index, _, point):
                bar?.update(completed: index, suffix: "\(point.layer) \(point.technique.rawValue) "
                    + "\(point.technique.label(point.setting)): \(String(format: "%.2f", point.top1 * 100)) %")
            }
        }
        bar?.finish()
        if let html { try AtomicFile.write(Array(report.html().utf8), to: html) }
        if json {
            print(try report.json())
        } else {
            print(report.textTables(maximumDrop: maximumDrop / 100))
            if let html { print("\nChart page: \(html)") }
        }
    }
}
