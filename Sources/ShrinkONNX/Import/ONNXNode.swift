import Foundation

/// One ONNX node as the importer reads it: inputs (an empty name is an omitted optional input),
/// outputs and typed attribute access that names the node in every error.
struct ONNXNode {
    let proto: Onnx_NodeProto
    /// The node's name in Shrink's graph (unique, no dots).
    let name: String

    var operatorType: String { proto.opType }
    var inputs: [String] { proto.input }
    var outputs: [String] { proto.output }

    /// The name of input `index`, or nil when it is omitted (absent or empty).
    func input(_ index: Int) -> String? {
        index < proto.input.count && !proto.input[index].isEmpty ? proto.input[index] : nil
    }

    /// An error about this node's configuration.
    func unsupported(_ reason: String) -> ONNXError {
        .unsupportedConfiguration(node: proto.name.isEmpty ? name : proto.name, operatorType: operatorType, reason: reason)
    }

    private func attribute(_ name: String) -> Onnx_AttributeProto? {
        proto.attribute.first { $0.name == name }
    }

    func hasAttribute(_ name: String) -> Bool { attribute(name) != nil }

    func int(_ name: String, default defaultValue: Int) throws(ONNXError) -> Int {
        guard let attribute = attribute(name) else { return defaultValue }
        guard attribute.type == .int || attribute.hasI else { throw unsupported("attribute '\(name)' must be an integer") }
        return Int(attribute.i)
    }

    func ints(_ name: String) throws(ONNXError) -> [Int]? {
        guard let attribute = attribute(name) else { return nil }
        guard attribute.type == .ints || attribute.type == .undefined else { throw unsupported("attribute '\(name)' must be a list of integers") }
        return attribute.ints.map { Int($0) }
    }

    func float(_ name: String, default defaultValue: Float) throws(ONNXError) -> Float {
        guard let attribute = attribute(name) else { return defaultValue }
        guard attribute.type == .float || attribute.hasF else { throw unsupported("attribute '\(name)' must be a float") }
        return attribute.f
    }

    func floats(_ name: String) throws(ONNXError) -> [Float]? {
        guard let attribute = attribute(name) else { return nil }
        return attribute.floats
    }

    func string(_ name: String, default defaultValue: String) throws(ONNXError) -> String {
        guard let attribute = attribute(name) else { return defaultValue }
        guard let text = String(data: attribute.s, encoding: .utf8) else { throw unsupported("attribute '\(name)' is not UTF-8") }
        return text
    }

    func tensor(_ name: String) -> Onnx_TensorProto? {
        attribute(name).flatMap { $0.hasT ? $0.t : nil }
    }
}
