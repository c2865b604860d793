import ShrinkNN
import ShrinkTensor

extension Sequential {
    /// Rebuilds the model a file describes and loads its tensors.
    ///
    /// The architecture is validated and every parameter and buffer the architecture declares
    /// must be present in the file with the right shape; extra tensors are an error.
    public convenience init(file: ModelFile) throws {
        // Initialization draws are overwritten by the file's tensors; the seed does not matter.
        var generator = SeededRandomNumberGenerator(seed: 0)
        try self.init(architecture: file.architecture, generator: &generator)
        var tensors = [String: Tensor]()
        for stored in file.tensors { tensors[stored.name] = stored.value }
        try loadParameters(tensors)
    }
}
