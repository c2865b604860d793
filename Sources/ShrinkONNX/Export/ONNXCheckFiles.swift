import ShrinkFormats
import ShrinkRuntime
import ShrinkTensor

/// The files `Scripts/onnx/check_roundtrip.py` compares: an exported model, an input, and what
/// Shrink's runtime computes for it.
public struct ONNXCheckFiles: Sendable, Equatable {
    /// The `.onnx` file.
    public var model: String
    /// The input, `.npy` float32 `[batch] + sample shape`.
    public var input: String
    /// The runtime's output for that input, `.npy` float32.
    public var expectedOutput: String
}

extension ONNXExporter {
    /// Exports `file` to `<directory>/<name>.onnx`, and writes `batch` seeded inputs uniform in
    /// `[0, 1)` (the range of Shrink's datasets) as `<name>.input.npy` and the output of
    /// `ExecutionPlan` (the runtime, its int8 kernels included) for them as
    /// `<name>.expected.npy`.
    /// - Throws: `ONNXError` from the export or a write; the runtime's error when the plan
    ///   cannot be built or run.
    public func writeCheckFiles(_ file: ModelFile, quantization: ONNXExportQuantization = .none, directory: String,
                                name: String = "model", batch: Int = 4, seed: UInt64 = 0) throws -> ONNXCheckFiles {
        let model = try export(file, quantization: quantization)
        let plan = try ExecutionPlan(graph: file.graph, tensors: file.tensors, activationQuantization: file.activationQuantization,
                                     registry: registry)
        var generator = SeededRandomNumberGenerator(seed: seed)
        let shape = [batch] + plan.inputShape
        let input = Tensor(shape: shape, scalars: (0..<Tensor.elementCount(of: shape)).map { _ in generator.nextUniform() })
        let output = try plan.run(input)
        let prefix = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        let files = ONNXCheckFiles(model: prefix + ".onnx", input: prefix + ".input.npy", expectedOutput: prefix + ".expected.npy")
        try model.write(to: files.model)
        try writeNumPy(input, to: files.input)
        try writeNumPy(output, to: files.expectedOutput)
        return files
    }
}
