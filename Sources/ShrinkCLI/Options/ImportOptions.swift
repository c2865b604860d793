import ArgumentParser
import Foundation
import ShrinkData
import ShrinkFormats
import ShrinkONNX

extension InputPreprocessing.Layout: ExpressibleByArgument {}

/// How an ONNX model is imported: the preprocessing it expects and its input shape. Shared by
/// `shrink import` and every command that accepts an `.onnx` file directly.
struct ImportOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Multiply the data set's inputs by this before subtracting --mean and dividing by --std.",
        discussion: "Shrink's MNIST loader already standardizes pixels ((p/255 − 0.1307)/0.3081): give preprocessing only where the model expects something else; for a model trained on pixels in [0, 1] use --input-scale 0.3081 --mean -0.1307."))
    var inputScale: Float?

    @Option(help: "Per-channel means the model subtracts, comma-separated (one value: every channel), e.g. 0.485,0.456,0.406.")
    var mean: String?

    @Option(name: .customLong("std"), help: "Per-channel standard deviations the model divides by, comma-separated.")
    var standardDeviation: String?

    @Option(help: "The layout of the model's image input: nchw or nhwc (Shrink feeds channels-first data and transposes for nhwc).")
    var layout: InputPreprocessing.Layout = .nchw

    @Option(help: "The per-sample input shape when the model leaves it symbolic, comma-separated, e.g. 1,28,28.")
    var inputShape: String?

    /// Comma-separated numbers, or a one-line error naming the option.
    private static func numbers<T: LosslessStringConvertible>(_ text: String?, _ option: String) throws -> [T]? {
        guard let text else { return nil }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { T($0) }
        guard !parts.isEmpty, values.count == parts.count else {
            throw ValidationError("--\(option) takes comma-separated numbers, got '\(text)'.")
        }
        return values
    }

    func validate() throws {
        let deviations: [Float] = try Self.numbers(standardDeviation, "std") ?? []
        if deviations.contains(where: { !($0 > 0) || !$0.isFinite }) {
            throw ValidationError("--std values must be positive, got \(standardDeviation ?? "").")
        }
        let means: [Float] = try Self.numbers(mean, "mean") ?? []
        if means.contains(where: { !$0.isFinite }) { throw ValidationError("--mean values must be finite.") }
        if let scale = inputScale, !(scale.isFinite && scale != 0) { throw ValidationError("--input-scale must be a non-zero number.") }
        let shape: [Int] = try Self.numbers(inputShape, "input-shape") ?? []
        if shape.contains(where: { $0 < 1 }) { throw ValidationError("--input-shape sizes must be positive, got \(inputShape ?? "").") }
    }

    /// The preprocessing given, or nil when no option was.
    var preprocessing: InputPreprocessing? {
        let means: [Float] = (try? Self.numbers(mean, "mean")) ?? nil ?? []
        let deviations: [Float] = (try? Self.numbers(standardDeviation, "std")) ?? nil ?? []
        guard inputScale != nil || !means.isEmpty || !deviations.isEmpty || layout != .nchw else { return nil }
        return InputPreprocessing(scale: inputScale ?? 1, mean: means, standardDeviation: deviations, layout: layout)
    }

    var importerOptions: ONNXImportOptions {
        ONNXImportOptions(preprocessing: preprocessing, inputSampleShape: (try? Self.numbers(inputShape, "input-shape")) ?? nil)
    }

    /// Imports the ONNX file at `path` as a model file with its import record.
    func importModel(path: String) throws -> (file: ModelFile, notes: [String], model: ONNXModel) {
        let model = try ONNXModel.read(path: path)
        let imported = try ONNXImporter(options: importerOptions).importModel(model)
        let digest = SHA256.hexDigest([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        let summary = ImportSummary(source: URL(fileURLWithPath: path).lastPathComponent, sourceSHA256: digest,
                                    producer: model.producer.isEmpty ? nil : model.producer, opset: model.opsetVersion,
                                    preprocessing: preprocessing)
        return (try imported.modelFile(metadata: ModelMetadata(imported: summary)), imported.notes, model)
    }

    /// A model file path for `path`: itself, or for an `.onnx` file its import written to a
    /// temporary file (removed by `cleanUp`), so every command measures a real Shrink file.
    func modelPath(for path: String) throws -> (path: String, cleanUp: () -> Void) {
        guard path.lowercased().hasSuffix(".onnx") else { return (path, {}) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shrink-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = directory.appendingPathComponent(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent + ".shrink").path
        try importModel(path: path).file.write(to: target)
        return (target, { try? FileManager.default.removeItem(at: directory) })
    }
}
