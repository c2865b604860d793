/// Why MNIST could not be loaded. Every case names the file or directory concerned.
public enum MNISTError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No `Data/mnist` directory was found; `searched` lists the candidates tried.
    case directoryNotFound(searched: [String])
    /// A data file (or `SHA256SUMS`) does not exist.
    case missingFile(path: String)
    /// A file exists but could not be read.
    case unreadable(FileReadError)
    /// A line of `SHA256SUMS` is not `<sha256> [<sha256>] <name>`.
    case malformedChecksums(path: String, line: Int)
    /// `SHA256SUMS` has no entry for a data file.
    case missingChecksum(file: String, checksumsFile: String)
    /// A SHA-256 differs from `SHA256SUMS`; `content` says which bytes were hashed.
    case checksumMismatch(file: String, content: String, expected: String, actual: String)
    /// The IDX layer rejected a file (bad magic, truncated, corrupt gzip, ...).
    case invalidIDX(IDXError)
    /// A file is valid IDX but not shaped like MNIST images or labels.
    case unexpectedShape(file: String, elementType: IDXElementType, shape: [Int], expected: String)
    /// The images and labels files hold different numbers of samples.
    case countMismatch(imagesFile: String, imageCount: Int, labelsFile: String, labelCount: Int)
    /// A label is not a digit 0...9.
    case labelOutOfRange(file: String, index: Int, value: Int)

    public var description: String {
        switch self {
        case .directoryNotFound(let searched):
            return "MNIST data directory not found (looked for Data/mnist in: \(searched.joined(separator: ", "))); "
                + "pass --data-dir <directory holding the MNIST .gz files and SHA256SUMS>"
        case .missingFile(let path):
            return "\(path): file not found"
        case .unreadable(let error):
            return error.description
        case .malformedChecksums(let path, let line):
            return "\(path):\(line): malformed line, expected '<sha256 of .gz> <sha256 of raw idx> <file name>'"
        case .missingChecksum(let file, let checksumsFile):
            return "\(file): no entry in \(checksumsFile)"
        case .checksumMismatch(let file, let content, let expected, let actual):
            return "\(file): wrong SHA-256 of the \(content): expected \(expected), got \(actual)"
        case .invalidIDX(let error):
            return error.description
        case .unexpectedShape(let file, let elementType, let shape, let expected):
            return "\(file): IDX \(elementType) array of shape \(shape), expected \(expected)"
        case .countMismatch(let imagesFile, let imageCount, let labelsFile, let labelCount):
            return "\(imagesFile) holds \(imageCount) images but \(labelsFile) holds \(labelCount) labels"
        case .labelOutOfRange(let file, let index, let value):
            return "\(file): label \(index) is \(value), outside 0...9"
        }
    }
}

extension MNISTError: ChecksummedFileError {
    /// A gzip file that does not decompress is reported by the IDX layer's case.
    static func decompression(file: String, _ error: GzipError) -> MNISTError {
        .invalidIDX(.decompression(file: file, error))
    }
}
