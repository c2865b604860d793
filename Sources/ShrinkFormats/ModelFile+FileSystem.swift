extension ModelFile {
    /// Writes the file atomically: the bytes go to a new temporary file in the target's
    /// directory, which is flushed to disk (`fsync`) and then renamed over `path`. On any failure
    /// the temporary file is removed and `path` is left as it was; readers never see a
    /// half-written file. A replaced file's permission bits are kept.
    public func write(to path: String) throws {
        let bytes = try encoded()
        try AtomicFile.write(bytes, to: path)
    }

    /// Reads and decodes a model file (see `decode(_:)`).
    public static func read(from path: String) throws -> ModelFile {
        try decode(AtomicFile.readAll(path))
    }
}

extension ModelFile {
    /// Reads, decodes and reports on a model file (see `inspect(_:)`).
    public static func inspect(path: String) throws -> ModelFileInspection {
        try inspect(AtomicFile.readAll(path))
    }
}
