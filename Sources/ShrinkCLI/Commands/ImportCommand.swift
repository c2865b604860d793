import ArgumentParser
import Foundation
import ShrinkFormats
import ShrinkONNX
import ShrinkReports

/// `shrink import`: an ONNX model into a Shrink model file, with the preprocessing it expects.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an ONNX model (opsets 7–21) into a Shrink model file.",
        discussion: """
            The model's input preprocessing (--input-scale, --mean, --std, --layout) becomes the graph's first \
            nodes and is recorded in the file, applied to what Shrink's data sets give (MNIST: standardized pixels, \
            (p/255 − 0.1307)/0.3081). A model with \
            ops Shrink does not import fails with one line listing every such node.
            """)

    @Argument(help: "The .onnx file.")
    var model: String

    @Option(help: "The Shrink model file to write.")
    var output: String

    @OptionGroup var overwrite: OverwriteOptions

    @OptionGroup var importing: ImportOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard FileManager.default.isReadableFile(atPath: model) else { throw ValidationError("Cannot read \(model).") }
        try OutputPath.check(output, force: overwrite.force, inputs: [model])
    }

    func run() throws {
        let (file, notes, onnx) = try importing.importModel(path: model)
        try file.write(to: output)
        let parameters = file.tensors.map(\.value.count).reduce(0, +)
        let report = ImportReport(source: model, output: output, producer: onnx.producer, opset: onnx.opsetVersion ?? 0,
                                  onnxNodes: onnx.operatorCounts.values.reduce(0, +), nodes: file.graph.nodes.count,
                                  parameters: parameters, bytes: (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0,
                                  notes: notes)
        if json {
            try printJSON(report)
            return
        }
        var counts = [String: Int]()
        for node in file.graph.nodes { counts[node.operatorType, default: 0] += 1 }
        print("imported \(model) (\(report.producer.isEmpty ? "unknown producer" : report.producer), opset \(report.opset)): "
              + "\(report.onnxNodes) ONNX nodes → \(report.nodes) Shrink nodes, \(parameters) parameters")
        print("ops: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        for note in notes { print("  \(note)") }
        print("wrote \(output) (\(report.bytes) bytes, \(ReportFormatting.bytes(report.bytes)))")
    }
}

/// The JSON `shrink import --json` prints. Field names are stable.
struct ImportReport: Codable {
    var source: String
    var output: String
    var producer: String
    var opset: Int
    var onnxNodes: Int
    var nodes: Int
    var parameters: Int
    var bytes: Int
    var notes: [String]

    enum CodingKeys: String, CodingKey {
        case source, output, producer, opset, nodes, parameters, bytes, notes
        case onnxNodes = "onnx_nodes"
    }
}
