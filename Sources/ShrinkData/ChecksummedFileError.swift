/// The error type of a data set loader that reads files verified against a `SHA256SUMS` file.
///
/// Each loader (`MNISTError`, `CIFAR10Error`) keeps its own error type; these are the cases the
/// shared reading and checking code (`SHA256Sums`, `FileBytes.read(path:maximumByteCount:failure:)`)
/// reports through it. Enum cases of the same names witness the requirements.
protocol ChecksummedFileError: Error {
    /// A file does not exist.
    static func missingFile(path: String) -> Self
    /// A file exists but could not be read (or is too large).
    static func unreadable(_ error: FileReadError) -> Self
    /// A line of `SHA256SUMS` is not `<sha256> [<sha256>] <name>`.
    static func malformedChecksums(path: String, line: Int) -> Self
    /// `SHA256SUMS` has no entry for a data file.
    static func missingChecksum(file: String, checksumsFile: String) -> Self
    /// A SHA-256 differs from `SHA256SUMS`; `content` says which bytes were hashed.
    static func checksumMismatch(file: String, content: String, expected: String, actual: String) -> Self
    /// A gzip file could not be decompressed (corrupt, truncated, or larger than allowed).
    static func decompression(file: String, _ error: GzipError) -> Self
}

extension FileBytes {
    /// Reads the whole file at `path` (at most `maximumByteCount` bytes), reporting failures as
    /// `Failure`: a file that does not exist as `missingFile`, any other problem as `unreadable`.
    static func read<Failure: ChecksummedFileError>(
        path: String, maximumByteCount: Int, failure: Failure.Type
    ) throws -> [UInt8] {
        do {
            return try read(path: path, maximumByteCount: maximumByteCount)
        } catch FileReadError.notFound(let missing) {
            throw Failure.missingFile(path: missing)
        } catch let error as FileReadError {
            throw Failure.unreadable(error)
        }
    }
}
