import ShrinkFormats
import ShrinkNN
import ShrinkGraph
import ShrinkTensor

/// The result of importing an ONNX model: a Shrink graph, its weights by full name
/// (`conv1.weight`), and what the import did.
public struct ImportedModel {
    public var graph: Graph
    /// Every weight the graph's ops declare, by `<node>.<weight>`.
    public var tensors: [String: Tensor]
    /// What the importer folded or rewrote, one line each (`BatchNormalization 'bn1' folded into 'conv1'`).
    public var notes: [String]

    /// The weights in the graph's node order, as a model file stores them.
    public func storedTensors(registry: OperatorRegistry = .standard) throws(ONNXError) -> [StoredTensor] {
        var result = [StoredTensor]()
        for node in graph.nodes {
            let op: any Operator
            do { op = try registry.makeOperator(for: node) } catch { throw .graph("\(error)") }
            for declaration in op.weights {
                let name = node.weightName(declaration.name)
                guard let tensor = tensors[name] else { throw .graph("weight '\(name)' is missing") }
                result.append(StoredTensor(name: name, kind: declaration.kind, value: tensor))
            }
        }
        return result
    }

    /// The model as a Shrink model file (dense fp32 weights).
    public func modelFile(metadata: ModelMetadata = ModelMetadata()) throws(ONNXError) -> ModelFile {
        ModelFile(graph: graph, tensors: try storedTensors(), metadata: metadata)
    }
}
