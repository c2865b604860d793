import ShrinkNN
import ShrinkTensor

extension GraphNetwork {
    /// Builds the network a file describes (for training or fine-tuning) and loads its tensors
    /// (decoded values). Every weight the graph's ops declare must be present with its shape.
    public convenience init(file: ModelFile) throws {
        var tensors = [String: Tensor]()
        for stored in file.tensors { tensors[stored.name] = stored.value }
        try self.init(graph: file.graph, tensors: tensors)
    }
}
