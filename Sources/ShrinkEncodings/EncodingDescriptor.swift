/// The small fixed description of an encoded tensor that its container keeps next to the
/// payload bytes (the tensor's shape is the container's business; only the element count
/// matters here).
public struct EncodingDescriptor: Codable, Equatable, Sendable {
    /// The number of elements of the tensor.
    public var elementCount: Int
    /// How each element is coded.
    public var format: ElementFormat
    /// Dense or relative-index sparse.
    public var layout: StorageLayout
    /// Sparse only: the number of entries (stored elements plus fillers); 0 for dense.
    public var entryCount: Int

    /// A descriptor (checked only by `validate(maximumElements:)` and the decoder).
    public init(elementCount: Int, format: ElementFormat, layout: StorageLayout, entryCount: Int = 0) {
        self.elementCount = elementCount
        self.format = format
        self.layout = layout
        self.entryCount = entryCount
    }

    /// The payload size in bytes:
    ///
    ///     sideTableByteCount
    ///       + dense:  ceil(elementCount · codeBits / 8)
    ///       + sparse: ceil(entryCount · gapBits / 8) + ceil(entryCount · codeBits / 8)
    ///
    /// - Throws: when the descriptor is invalid (see `validate(maximumElements:)`).
    public func byteCount() throws(EncodingError) -> Int {
        try validate(maximumElements: Int.max)
    }

    /// Checks every count and width (element count ≤ `maximumElements`, entries ≤ elements,
    /// channel and centroid counts, bit widths) and returns the payload size, without
    /// allocating anything proportional to the counts.
    @discardableResult
    public func validate(maximumElements: Int) throws(EncodingError) -> Int {
        guard elementCount >= 0 else { throw .negativeCount(name: "elements", count: elementCount) }
        guard elementCount <= maximumElements else {
            throw .tooManyElements(name: "encoded tensor", count: elementCount, maximum: maximumElements)
        }
        try format.validate(elementCount: elementCount)
        let tooLarge = EncodingError.tooManyElements(name: "encoded tensor", count: elementCount, maximum: Int.max / 32)
        guard let sideTable = format.sideTableByteCount else { throw tooLarge }
        let body: Int?
        switch layout {
        case .dense:
            guard entryCount == 0 else { throw .invalidParameters("a dense tensor declares \(entryCount) sparse entries") }
            body = BitPacking.checkedPackedByteCount(count: elementCount, bits: format.codeBits)
        case let .sparse(gapBits):
            guard StorageLayout.supportedGapBits.contains(gapBits) else {
                throw .invalidBitWidth(name: "sparse gaps", bits: gapBits, allowed: StorageLayout.supportedGapBits)
            }
            guard entryCount >= 0 else { throw .negativeCount(name: "sparse entries", count: entryCount) }
            guard entryCount <= elementCount else {
                throw .invalidParameters("\(entryCount) sparse entries for \(elementCount) elements")
            }
            if let gaps = BitPacking.checkedPackedByteCount(count: entryCount, bits: gapBits),
               let codes = BitPacking.checkedPackedByteCount(count: entryCount, bits: format.codeBits) {
                body = CheckedSize.sum(gaps, codes)
            } else {
                body = nil
            }
        }
        guard let body, let total = CheckedSize.sum(sideTable, body) else { throw tooLarge }
        return total
    }
}
