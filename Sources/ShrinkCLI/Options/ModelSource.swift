import ShrinkFormats

/// Reads a model for a command: a Shrink model file, or an `.onnx` file imported with the
/// command's import options.
enum ModelSource {
    static func read(_ path: String, importing: ImportOptions) throws -> ModelFile {
        path.lowercased().hasSuffix(".onnx") ? try importing.importModel(path: path).file : try ModelFile.read(from: path)
    }
}
