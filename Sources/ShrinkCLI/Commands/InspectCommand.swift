import ArgumentParser
import Foundation
import ShrinkFormats
import ShrinkReports

/// `shrink inspect`: how a model file stores each tensor, in the style of Deep Compression's
/// tables 2–3, and the overall compression ratio against fp32.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show how a model file stores each tensor and how much smaller it is than fp32.")

    @Argument(help: "The model file to inspect (an .onnx file is inspected as its import).")
    var file: String

    @OptionGroup(title: "ONNX import (for an .onnx file)") var importing: ImportOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let (path, cleanUp) = try importing.modelPath(for: file)
        defer { cleanUp() }
        let report = InspectionReport(file: file, inspection: try ModelFile.inspect(path: path))
        if json {
            try printJSON(report)
        } else {
            print(report.rendered())
        }
    }
}

/// The JSON `shrink inspect --json` prints. Field names are stable.
struct InspectionReport: Codable, Equatable {
    /// One stored tensor.
    struct Tensor: Codable, Equatable {
        var name: String
        var shape: [Int]
        var encoding: String
        var weights: Int
        /// Non-zero elements / elements (1 for an empty tensor).
        var density: Double
        var weightBits: Int
        var indexBits: Int
        /// Payload bytes without Huffman coding.
        var bytesBeforeHuffman: Int
        /// Bytes the tensor's ranges occupy in the file.
        var bytesAfterHuffman: Int
        /// `4 · weights / bytesAfterHuffman` (0 when nothing is stored).
        var ratioVersusFloat32: Double

        enum CodingKeys: String, CodingKey {
            case name, shape, encoding, weights, density
            case weightBits = "weight_bits"
            case indexBits = "index_bits"
            case bytesBeforeHuffman = "bytes_before_huffman"
            case bytesAfterHuffman = "bytes_after_huffman"
            case ratioVersusFloat32 = "ratio_vs_fp32"
        }
    }

    /// One node of the graph.
    struct Node: Codable, Equatable {
        var name: String
        var op: String
        var inputs: [String]
        var outputs: [String]
    }

    /// The static quantization of one activation (a graph value), as the runtime applies it.
    struct Activation: Codable, Equatable {
        var value: String
        var scale: Float
        var zeroPoint: Int32
        var bits: Int
        var signed: Bool

        enum CodingKeys: String, CodingKey {
            case value, scale, bits, signed
            case zeroPoint = "zero_point"
        }
    }

    var file: String
    var model: String
    var formatVersion: String
    var nodes: [Node]
    var activationQuantization: [Activation]
    var tensors: [Tensor]
    var totalWeights: Int
    var totalDensity: Double
    var totalBytesBeforeHuffman: Int
    var totalBytesAfterHuffman: Int
    /// `4 · totalWeights`.
    var float32Bytes: Int
    var fileBytes: Int
    /// `float32Bytes / fileBytes`: the whole file, manifest and padding included.
    var compressionRatio: Double

    enum CodingKeys: String, CodingKey {
        case file, model, tensors, nodes
        case formatVersion = "format_version"
        case activationQuantization = "activation_quantization"
        case totalWeights = "total_weights"
        case totalDensity = "total_density"
        case totalBytesBeforeHuffman = "total_bytes_before_huffman"
        case totalBytesAfterHuffman = "total_bytes_after_huffman"
        case float32Bytes = "fp32_bytes"
        case fileBytes = "file_bytes"
        case compressionRatio = "compression_ratio"
    }

    init(file: String, inspection: ModelFileInspection) {
        self.file = file
        model = inspection.model.graph.name
        formatVersion = inspection.formatVersion.description
        nodes = inspection.model.graph.nodes.map { Node(name: $0.name, op: $0.operatorType, inputs: $0.inputs, outputs: $0.outputs) }
        activationQuantization = inspection.model.activationQuantization.keys.sorted().map { value in
            let parameters = inspection.model.activationQuantization[value]!
            return Activation(value: value, scale: parameters.scale, zeroPoint: parameters.zeroPoint, bits: parameters.bits,
                              signed: parameters.isSigned)
        }
        var nonZeroTotal = 0
        tensors = zip(inspection.tensors, inspection.model.tensors).map { report, stored in
            let nonZero = stored.value.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            nonZeroTotal += nonZero
            let weights = report.elementCount
            return Tensor(
                name: report.name, shape: report.shape, encoding: report.encodingDescription, weights: weights,
                density: weights == 0 ? 1 : Double(nonZero) / Double(weights),
                weightBits: report.weightBits, indexBits: report.indexBits,
                bytesBeforeHuffman: report.unentropyCodedByteCount, bytesAfterHuffman: report.storedByteCount,
                ratioVersusFloat32: report.storedByteCount == 0 ? 0 : Double(4 * weights) / Double(report.storedByteCount))
        }
        totalWeights = tensors.reduce(0) { $0 + $1.weights }
        totalDensity = totalWeights == 0 ? 1 : Double(nonZeroTotal) / Double(totalWeights)
        totalBytesBeforeHuffman = tensors.reduce(0) { $0 + $1.bytesBeforeHuffman }
        totalBytesAfterHuffman = tensors.reduce(0) { $0 + $1.bytesAfterHuffman }
        float32Bytes = 4 * totalWeights
        fileBytes = inspection.fileLength
        compressionRatio = fileBytes == 0 ? 0 : Double(float32Bytes) / Double(fileBytes)
    }

    /// The per-tensor table, the total row and the overall ratio, for people.
    func rendered() -> String {
        var table = TextTable([
            ("tensor", .left), ("shape", .left), ("encoding", .left), ("weights", .right), ("density", .right),
            ("weight bits", .right), ("index bits", .right), ("bytes (P+Q)", .right), ("bytes (P+Q+H)", .right),
            ("ratio vs fp32", .right),
        ])
        func ratio(_ value: Double) -> String { String(format: "%.1f×", value) }
        for tensor in tensors {
            table.append([
                tensor.name, tensor.shape.map(String.init).joined(separator: "×"), tensor.encoding, "\(tensor.weights)",
                percent(tensor.density), "\(tensor.weightBits)", tensor.indexBits == 0 ? "-" : "\(tensor.indexBits)",
                "\(tensor.bytesBeforeHuffman)", "\(tensor.bytesAfterHuffman)", ratio(tensor.ratioVersusFloat32),
            ])
        }
        table.append([
            "total", "", "", "\(totalWeights)", percent(totalDensity), "", "", "\(totalBytesBeforeHuffman)",
            "\(totalBytesAfterHuffman)",
            ratio(totalBytesAfterHuffman == 0 ? 0 : Double(float32Bytes) / Double(totalBytesAfterHuffman)),
        ])
        var graph = TextTable([("node", .left), ("op", .left), ("inputs", .left), ("outputs", .left)])
        for node in nodes {
            graph.append([node.name, node.op, node.inputs.joined(separator: ", "), node.outputs.joined(separator: ", ")])
        }
        var activations = ""
        if !activationQuantization.isEmpty {
            var rows = TextTable([("activation", .left), ("quantized as", .left), ("scale", .right), ("zero point", .right)])
            for activation in activationQuantization {
                rows.append([activation.value, "\(activation.signed ? "s" : "u")\(activation.bits) static",
                             String(format: "%.6g", activation.scale), "\(activation.zeroPoint)"])
            }
            activations = "\n" + rows.rendered()
        }
        return """
            \(file): \(model), format \(formatVersion), \(nodes.count) nodes
            \(graph.rendered())\(activations)
            \(table.rendered())
            file: \(fileBytes) bytes on disk (\(ReportFormatting.bytes(fileBytes))); fp32: \(float32Bytes) bytes (\(ReportFormatting.bytes(float32Bytes))); compression ratio \(ratio(compressionRatio))
            """
    }
}
