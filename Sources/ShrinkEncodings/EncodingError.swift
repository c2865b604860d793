/// Why an encoding could not be produced or a byte stream could not be decoded.
///
/// Decoders throw these for every malformed, hostile or truncated input; they never trap and
/// never allocate more than the declared (and capped) element count before validating it.
public enum EncodingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A bit width outside the range an encoding supports.
    case invalidBitWidth(name: String, bits: Int, allowed: ClosedRange<Int>)
    /// A count that is negative.
    case negativeCount(name: String, count: Int)
    /// A declared element count above the caller's limit (rejected before allocating).
    case tooManyElements(name: String, count: Int, maximum: Int)
    /// A byte buffer whose length differs from the length its layout requires.
    case byteCountMismatch(name: String, expected: Int, actual: Int)
    /// A code (or index) that does not fit its declared width or table.
    case codeOutOfRange(name: String, position: Int, code: UInt64, limit: UInt64)
    /// Side parameters (scales, zero points, centroids, channels) that are inconsistent or invalid.
    case invalidParameters(String)
    /// A sparse stream whose entries run past the end of the tensor.
    case sparsePositionOutOfRange(entry: Int, position: Int, count: Int)
    /// A set of Huffman code lengths that cannot form a valid prefix code.
    case invalidCodeLengths(String)
    /// A Huffman bit stream that ends before the declared number of symbols was decoded.
    case truncatedBitStream(decodedSymbols: Int, expectedSymbols: Int)
    /// A Huffman bit sequence that is not a code word of the table.
    case invalidCodeWord(bitOffset: Int)

    /// A one-line message naming what is wrong.
    public var description: String {
        switch self {
        case let .invalidBitWidth(name, bits, allowed):
            return "\(name): bit width \(bits) is outside \(allowed.lowerBound)...\(allowed.upperBound)"
        case let .negativeCount(name, count):
            return "\(name): count \(count) is negative"
        case let .tooManyElements(name, count, maximum):
            return "\(name): \(count) elements exceed the limit of \(maximum)"
        case let .byteCountMismatch(name, expected, actual):
            return "\(name): expected \(expected) bytes, found \(actual)"
        case let .codeOutOfRange(name, position, code, limit):
            return "\(name): code \(code) at position \(position) is not below \(limit)"
        case let .invalidParameters(message):
            return "invalid encoding parameters: \(message)"
        case let .sparsePositionOutOfRange(entry, position, count):
            return "sparse entry \(entry) lands at position \(position), past the \(count) elements"
        case let .invalidCodeLengths(message):
            return "invalid Huffman code lengths: \(message)"
        case let .truncatedBitStream(decoded, expected):
            return "Huffman stream ends after \(decoded) of \(expected) symbols"
        case let .invalidCodeWord(bitOffset):
            return "Huffman stream has no code word at bit \(bitOffset)"
        }
    }
}
