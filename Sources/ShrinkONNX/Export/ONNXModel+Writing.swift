extension ONNXModel {
    /// Writes the model as an `.onnx` file, replacing `path` atomically (a temporary file in the
    /// same directory, synced, then renamed).
    /// - Throws: `ONNXError.export` when the model cannot be serialized or the file written.
    public func write(to path: String) throws(ONNXError) {
        try AtomicWrite.write(try serializedBytes(), to: path)
    }
}
