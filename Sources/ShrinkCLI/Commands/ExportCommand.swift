import ArgumentParser
import Foundation
import ShrinkFormats
import ShrinkONNX

/// The formats `shrink export` writes.
enum ModelExportFormat: String, CaseIterable, ExpressibleByArgument {
    case onnx
}

/// `shrink export`: a Shrink model file as ONNX (fp32, or QDQ int8) for other runtimes.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a model file to ONNX (opset 17): fp32, or QDQ int8 with --qdq.",
        discussion: """
            Weights in compressed encodings are written as their fp32 values; with --qdq, int8 weights \
            (shrink compress --recipe int8-static or int8-dynamic) are written as INT8 initializers with \
            DequantizeLinear, and calibrated activations get QuantizeLinear/DequantizeLinear pairs, which \
            onnxruntime runs with integer kernels. --check-files writes a seeded input and Shrink's output for it \
            beside the model (scripts/onnx/check_roundtrip.py compares onnxruntime against them).
            """)

    @Argument(help: "The Shrink model file to export.")
    var file: String

    @Option(help: "The output format: \(ModelExportFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: ModelExportFormat = .onnx

    @Flag(help: "Write int8 weights and calibrated activations as QDQ (QuantizeLinear/DequantizeLinear) int8.")
    var qdq = false

    @Option(help: "The .onnx file to write.")
    var output: String

    @OptionGroup var overwrite: OverwriteOptions

    @Option(help: "Also write <name>.input.npy and <name>.expected.npy (Shrink's output) into this folder, for checking another runtime.")
    var checkFiles: String?

    func validate() throws {
        guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("Cannot read \(file).") }
        try OutputPath.check(output, force: overwrite.force, inputs: [file])
        if let checkFiles { try OutputPath.checkWritableFolder(checkFiles, option: "--check-files") }
    }

    func run() throws {
        let modelFile = try ModelFile.read(from: file)
        let quantization: ONNXExportQuantization = qdq ? .qdq : .none
        let exporter = ONNXExporter()
        let model = try exporter.export(modelFile, quantization: quantization)
        try model.write(to: output)
        var counts = [String: Int]()
        for (type, count) in model.operatorCounts { counts[type] = count }
        print("exported \(file) → \(output) (ONNX opset \(ONNXExporter.opsetVersion)\(qdq ? ", QDQ int8" : ", fp32")): "
              + counts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        if let checkFiles {
            let name = URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent
            let files = try exporter.writeCheckFiles(modelFile, quantization: quantization, directory: checkFiles, name: name)
            print("check files: \(files.model), \(files.input), \(files.expectedOutput)")
        }
    }
}
