/// Why an ONNX model could not be read, imported or exported. Every case reads as one line that
/// names the file part, node or value at fault.
public enum ONNXError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not a well-formed ONNX protobuf message (truncated, corrupted, not ONNX).
    case malformed(String)
    /// The model is larger than the reader accepts.
    case tooLarge(String)
    /// A tensor stores its data in an external file, which Shrink does not read.
    case externalData(tensor: String)
    /// The model's default-domain opset is outside the supported range.
    case unsupportedOpset(Int, supported: ClosedRange<Int>)
    /// Nodes whose op type (or domain) Shrink does not import, every one of them.
    case unsupportedNodes([UnsupportedNode])
    /// A node of a supported op type in a configuration Shrink does not import.
    case unsupportedConfiguration(node: String, operatorType: String, reason: String)
    /// A node, value or tensor that contradicts the ONNX specification.
    case invalid(String)
    /// The imported graph failed Shrink's own validation.
    case graph(String)
    /// A model Shrink cannot express in ONNX.
    case export(String)

    /// One node that cannot be imported: its name and op type (with its domain when not the default).
    public struct UnsupportedNode: Equatable, Sendable, CustomStringConvertible {
        public var name: String
        public var operatorType: String
        public var domain: String

        public init(name: String, operatorType: String, domain: String) {
            self.name = name
            self.operatorType = operatorType
            self.domain = domain
        }

        /// `Conv_3 (ConvInteger)` or `n1 (com.microsoft.FusedConv)`.
        public var description: String {
            let type = domain.isEmpty || domain == "ai.onnx" ? operatorType : "\(domain).\(operatorType)"
            return "\(name.isEmpty ? "<unnamed>" : name) (\(type))"
        }
    }

    public var description: String {
        switch self {
        case let .malformed(reason): "not a valid ONNX model: \(reason)"
        case let .tooLarge(reason): "ONNX model too large: \(reason)"
        case let .externalData(tensor):
            "tensor '\(tensor)' keeps its data in an external file; Shrink reads self-contained models only "
                + "(re-save with onnx.save_model(model, path, save_as_external_data=False))"
        case let .unsupportedOpset(version, supported):
            "opset \(version) is not supported (Shrink imports opsets \(supported.lowerBound)–\(supported.upperBound))"
        case let .unsupportedNodes(nodes):
            "\(nodes.count) unsupported node\(nodes.count == 1 ? "" : "s"): " + nodes.map(\.description).joined(separator: ", ")
        case let .unsupportedConfiguration(node, type, reason): "node '\(node)' (\(type)): \(reason)"
        case let .invalid(reason): "invalid ONNX model: \(reason)"
        case let .graph(reason): "the imported graph is invalid: \(reason)"
        case let .export(reason): "cannot export to ONNX: \(reason)"
        }
    }
}
