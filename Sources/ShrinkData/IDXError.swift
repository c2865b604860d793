/// Why an IDX file could not be read. Every case names the file (or `<memory>`).
public enum IDXError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened or read.
    case unreadable(FileReadError)
    /// The gzip layer failed (corrupt, truncated or oversized compressed data).
    case decompression(file: String, GzipError)
    /// The file ends inside the header.
    case truncatedHeader(file: String, byteCount: Int, needed: Int)
    /// The first two bytes are not zero.
    case badMagic(file: String, magic: [UInt8])
    /// The type byte is not one of the IDX element types.
    case unknownElementType(file: String, code: UInt8)
    /// The rank byte is zero or above the allowed maximum.
    case invalidRank(file: String, rank: Int, maximum: Int)
    /// A dimension is zero.
    case zeroDimension(file: String, index: Int, shape: [Int])
    /// The element count or byte count of the declared shape overflows.
    case sizeOverflow(file: String, shape: [Int])
    /// The declared data is larger than the allowed maximum.
    case tooLarge(file: String, shape: [Int], byteCount: Int, limit: Int)
    /// The data after the header is shorter (truncated) or longer (trailing bytes) than declared.
    case dataSizeMismatch(file: String, shape: [Int], elementType: IDXElementType, expected: Int, actual: Int)
    /// Compressed data decompresses to more bytes than the header declares.
    case trailingData(file: String, expected: Int)

    public var description: String {
        switch self {
        case .unreadable(let error):
            return error.description
        case .decompression(let file, let error):
            return "\(file): \(error)"
        case .truncatedHeader(let file, let byteCount, let needed):
            return "\(file): truncated IDX header (\(byteCount) bytes, need \(needed))"
        case .badMagic(let file, let magic):
            let hex = magic.map { SHA256.hexString(of: [$0]) }.joined(separator: " ")
            return "\(file): not an IDX file (magic \(hex), expected 00 00 <type> <rank>)"
        case .unknownElementType(let file, let code):
            return "\(file): unknown IDX element type 0x\(SHA256.hexString(of: [code]))"
        case .invalidRank(let file, let rank, let maximum):
            return "\(file): IDX rank \(rank) is outside 1...\(maximum)"
        case .zeroDimension(let file, let index, let shape):
            return "\(file): IDX dimension \(index) is zero (shape \(shape))"
        case .sizeOverflow(let file, let shape):
            return "\(file): IDX shape \(shape) is too large (size overflows)"
        case .tooLarge(let file, let shape, let byteCount, let limit):
            return "\(file): IDX shape \(shape) declares \(byteCount) bytes of data, more than the limit of \(limit)"
        case .dataSizeMismatch(let file, let shape, let elementType, let expected, let actual):
            let problem = actual < expected ? "truncated" : "trailing bytes"
            return "\(file): \(problem): IDX shape \(shape) of \(elementType) needs \(expected) data bytes, file has \(actual)"
        case .trailingData(let file, let expected):
            return "\(file): trailing bytes: decompressed data is longer than the \(expected) data bytes the header declares"
        }
    }
}
