/// Relative-index sparse storage (Deep Compression, Han et al. 2016, §2 and Figure 2).
///
/// The omitted elements are those whose code equals the position's zero code (`CodedTensor`:
/// +0.0 bits, the channel's zero point, palette index 0). Every other element becomes an
/// entry `(gap, code)` where `gap` counts the omitted elements since the previous entry:
/// entry `e` sits at position `p_e = p_{e−1} + 1 + gap_e` with `p_{−1} = −1`.
///
/// A gap is stored in `k` bits, so it can be at most `2^k − 1`. When a run of `z` omitted
/// elements precedes a stored element and `z ≥ 2^k`, the encoder first emits filler entries
/// `(2^k − 1, zeroCode)`: each one skips `2^k − 1` elements and itself occupies the next
/// (zero) element, `2^k` positions in all. A run of `z` therefore costs `floor(z / 2^k)`
/// fillers and then an entry with gap `z mod 2^k`. Omitted elements after the last entry cost
/// nothing (the element count is known). Examples with k = 3: gap 7 → no filler; gap 8 → one
/// filler (gap 7) then gap 0; gap 24 → three fillers then gap 0.
public enum RelativeIndexing {
    /// The two streams of a sparse tensor: one gap and one code per entry (fillers included).
    public struct Streams: Equatable, Sendable {
        /// Per entry: the number of omitted elements before it, each `< 2^gapBits`.
        public var gaps: [UInt32]
        /// Per entry: its element code (a filler carries its position's zero code).
        public var codes: [UInt32]

        /// The number of entries (stored elements plus fillers).
        public var entryCount: Int { gaps.count }

        /// Streams of equal length (one gap and one code per entry).
        public init(gaps: [UInt32], codes: [UInt32]) {
            self.gaps = gaps
            self.codes = codes
        }
    }

    /// The fillers a run of `zeroRun` omitted elements needs before the next stored element:
    /// `floor(zeroRun / 2^gapBits)`.
    public static func fillerCount(zeroRun: Int, gapBits: Int) -> Int {
        precondition(zeroRun >= 0 && StorageLayout.supportedGapBits.contains(gapBits))
        return zeroRun >> gapBits
    }

    /// The number of entries sparse storage needs: stored elements plus
    /// `Σ floor(z / 2^gapBits)` fillers over the runs `z` of omitted elements that precede a
    /// stored element.
    public static func entryCount(of tensor: CodedTensor, gapBits: Int) throws(EncodingError) -> Int {
        try split(tensor, gapBits: gapBits).entryCount
    }

    /// The gap and code streams of `tensor` with `gapBits`-bit gaps (1...16).
    public static func split(_ tensor: CodedTensor, gapBits: Int) throws(EncodingError) -> Streams {
        guard StorageLayout.supportedGapBits.contains(gapBits) else {
            throw .invalidBitWidth(name: "sparse gaps", bits: gapBits, allowed: StorageLayout.supportedGapBits)
        }
        let span = 1 << gapBits // positions one filler advances
        let maximumGap = UInt32(span - 1)
        var gaps = [UInt32]()
        var entryCodes = [UInt32]()
        var previous = -1
        tensor.codes.withUnsafeBufferPointer { codes in
            for position in 0..<codes.count where codes[position] != tensor.zeroCode(atPosition: position) {
                var gap = position - previous - 1
                while gap >= span {
                    previous += span // the filler occupies this (omitted) element
                    gaps.append(maximumGap)
                    entryCodes.append(tensor.zeroCode(atPosition: previous))
                    gap -= span
                }
                gaps.append(UInt32(gap))
                entryCodes.append(codes[position])
                previous = position
            }
        }
        return Streams(gaps: gaps, codes: entryCodes)
    }

    /// The element codes of a tensor of `elementCount` elements from its streams: every
    /// position starts at `zeroCode(position)` and each entry writes its code at its position.
    ///
    /// - Throws: `.sparsePositionOutOfRange` when an entry lands at or past `elementCount`.
    static func merge(
        _ streams: Streams, elementCount: Int, zeroCode: (Int) -> UInt32
    ) throws(EncodingError) -> [UInt32] {
        var codes = [UInt32](repeating: 0, count: elementCount)
        var badEntry = -1, badPosition = 0
        codes.withUnsafeMutableBufferPointer { output in
            for position in 0..<elementCount { output[position] = zeroCode(position) }
            var position = -1
            for entry in 0..<streams.gaps.count {
                position += 1 + Int(streams.gaps[entry])
                guard position < elementCount else {
                    badEntry = entry
                    badPosition = position
                    return
                }
                output[position] = streams.codes[entry]
            }
        }
        if badEntry >= 0 { throw .sparsePositionOutOfRange(entry: badEntry, position: badPosition, count: elementCount) }
        return codes
    }
}
