/// Why gzip (de)compression failed.
public enum GzipError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The decompressed data would exceed the caller's limit (a "zip bomb" or a wrong limit).
    case outputLimitExceeded(limit: Int)
    /// The input ended before the compressed stream did.
    case truncated(inputByteCount: Int)
    /// The input is not valid gzip/zlib data (zlib's message, if any).
    case corrupt(message: String)
    /// Bytes follow the last compressed member that are not another gzip member.
    case trailingData(offset: Int, byteCount: Int)
    /// The compression level is outside `0...9`.
    case invalidLevel(Int)
    /// zlib failed for another reason (out of memory, internal error).
    case zlibFailure(function: String, code: Int32)

    public var description: String {
        switch self {
        case .outputLimitExceeded(let limit):
            return "decompressed data exceeds the limit of \(limit) bytes"
        case .truncated(let inputByteCount):
            return "compressed data is truncated (stream incomplete after \(inputByteCount) bytes)"
        case .corrupt(let message):
            return "compressed data is corrupt: \(message)"
        case .trailingData(let offset, let byteCount):
            return "\(byteCount) unexpected bytes after the compressed stream at offset \(offset)"
        case .invalidLevel(let level):
            return "compression level \(level) is outside 0...9"
        case .zlibFailure(let function, let code):
            return "zlib \(function) failed with code \(code)"
        }
    }
}
