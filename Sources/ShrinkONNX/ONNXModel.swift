import Foundation
import SwiftProtobuf

/// An ONNX model read from a file or bytes: the parsed protobuf message, checked for size and
/// opset before anything is imported.
public struct ONNXModel {
    /// The largest model file read (protobuf's own limit is 2 GiB).
    public static let maximumByteCount = Int(Int32.max)
    /// The default-domain opsets Shrink imports (from 7, when the arithmetic ops took NumPy
    /// broadcasting; the converters read each op's older attribute forms).
    public static let supportedOpsets = 7...21

    let proto: Onnx_ModelProto

    init(proto: Onnx_ModelProto) {
        self.proto = proto
    }

    /// Parses the bytes of an `.onnx` file.
    /// - Throws: `ONNXError.malformed` for bytes that are not an ONNX model (truncated,
    ///   corrupted, another format), `.tooLarge` above `maximumByteCount`.
    public init(bytes: [UInt8]) throws(ONNXError) {
        guard bytes.count <= Self.maximumByteCount else {
            throw .tooLarge("\(bytes.count) bytes, more than \(Self.maximumByteCount)")
        }
        guard !bytes.isEmpty else { throw .malformed("the file is empty") }
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = 64
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: bytes, options: options)
        } catch {
            throw .malformed(Self.describe(error))
        }
        guard proto.hasGraph else { throw .malformed("no graph (is this an ONNX model file?)") }
        guard proto.irVersion > 0 else { throw .malformed("no IR version (is this an ONNX model file?)") }
        self.init(proto: proto)
    }

    /// Reads and parses an `.onnx` file.
    public static func read(path: String) throws(ONNXError) -> ONNXModel {
        let url = URL(fileURLWithPath: path)
        let size: Int
        do {
            size = try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw .malformed("cannot read \(path): no such file or not readable")
        }
        guard size <= maximumByteCount else { throw .tooLarge("\(path) has \(size) bytes, more than \(maximumByteCount)") }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .malformed("cannot read \(path): \(error.localizedDescription)") }
        return try ONNXModel(bytes: [UInt8](data))
    }

    /// The version of the default (`ai.onnx`) operator set the model uses.
    public var opsetVersion: Int? {
        proto.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) }
    }

    /// `pytorch 2.5.0`, or empty.
    public var producer: String {
        [proto.producerName, proto.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The graph's name.
    public var graphName: String { proto.graph.name }

    /// How many nodes of each op type the graph has, by type (domain-qualified outside the default).
    public var operatorCounts: [String: Int] {
        var counts = [String: Int]()
        for node in proto.graph.node {
            let type = node.domain.isEmpty || node.domain == "ai.onnx" ? node.opType : "\(node.domain).\(node.opType)"
            counts[type, default: 0] += 1
        }
        return counts
    }

    /// The model's protobuf bytes.
    public func serializedBytes() throws(ONNXError) -> [UInt8] {
        do { return try proto.serializedBytes() } catch { throw .export("cannot serialize: \(error)") }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case BinaryDecodingError.truncated: "the data is truncated"
        case BinaryDecodingError.malformedProtobuf: "the protobuf encoding is corrupted"
        case BinaryDecodingError.messageDepthLimit: "messages are nested too deeply"
        case BinaryDecodingError.invalidUTF8: "a string is not valid UTF-8"
        case BinaryDecodingError.missingRequiredFields: "required fields are missing"
        default: "\(error)"
        }
    }
}
