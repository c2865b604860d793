/// Why CIFAR-10 could not be loaded. Every case names the file or directory concerned.
public enum CIFAR10Error: Error, CustomStringConvertible, Equatable, Sendable {
    /// No `Data/cifar10-subset` directory was found; `searched` lists the candidates tried.
    case directoryNotFound(searched: [String])
    /// The data directory does not exist.
    case missingDirectory(path: String)
    /// The directory has no `SHA256SUMS` (the official archive ships none).
    case missingChecksumsFile(path: String)
    /// Neither `<name>.bin` nor `<name>.bin.gz` exists.
    case missingDataFile(path: String, compressedPath: String)
    /// A file vanished between being found and being read.
    case missingFile(path: String)
    /// A file exists but could not be read (or is larger than any CIFAR-10 file).
    case unreadable(FileReadError)
    /// A line of `SHA256SUMS` is not `<sha256> [<sha256>] <name>`.
    case malformedChecksums(path: String, line: Int)
    /// `SHA256SUMS` has no entry for a data file.
    case missingChecksum(file: String, checksumsFile: String)
    /// A SHA-256 differs from `SHA256SUMS`; `content` says which bytes were hashed.
    case checksumMismatch(file: String, content: String, expected: String, actual: String)
    /// A `.gz` file could not be decompressed (corrupt, truncated, or too large).
    case decompression(file: String, GzipError)
    /// A data file is empty.
    case noRecords(file: String)
    /// A data file's length (after decompression) is not a whole number of 3073-byte records.
    case truncated(file: String, byteCount: Int)
    /// A record's label byte is not a class 0...9; `record` counts from 0 within the file.
    case labelOutOfRange(file: String, record: Int, value: Int)

    public var description: String {
        switch self {
        case .directoryNotFound(let searched):
            return "CIFAR-10 subset directory not found (looked for Data/cifar10-subset in: \(searched.joined(separator: ", "))); "
                + "pass --data-dir <directory holding the CIFAR-10 .bin or .bin.gz files and SHA256SUMS>"
        case .missingDirectory(let path):
            return "\(path): CIFAR-10 directory not found; get the binary version at \(CIFAR10.archiveAddress) "
                + "and pass its extracted cifar-10-batches-bin folder"
        case .missingChecksumsFile(let path):
            return "\(path): file not found; every CIFAR-10 file is checked against it: after checking the archive's md5sum "
                + "against the CIFAR-10 page, write it with 'sha256sum *.bin > SHA256SUMS' in that folder"
        case .missingDataFile(let path, let compressedPath):
            return "\(path): file not found (nor \(compressedPath)); CIFAR-10's binary version is at \(CIFAR10.archiveAddress)"
        case .missingFile(let path):
            return "\(path): file not found"
        case .unreadable(let error):
            return error.description
        case .malformedChecksums(let path, let line):
            return "\(path):\(line): malformed line, expected '<sha256 of the file> <file name>'"
        case .missingChecksum(let file, let checksumsFile):
            return "\(file): no entry in \(checksumsFile)"
        case .checksumMismatch(let file, let content, let expected, let actual):
            return "\(file): wrong SHA-256 of the \(content): expected \(expected), got \(actual)"
        case .decompression(let file, let error):
            return "\(file): \(error)"
        case .noRecords(let file):
            return "\(file): empty, expected 3073-byte CIFAR-10 records"
        case .truncated(let file, let byteCount):
            return "\(file): truncated: \(byteCount) bytes is not a whole number of 3073-byte CIFAR-10 records"
        case .labelOutOfRange(let file, let record, let value):
            return "\(file): label of record \(record) is \(value), outside 0...9"
        }
    }
}

extension CIFAR10Error: ChecksummedFileError {}
