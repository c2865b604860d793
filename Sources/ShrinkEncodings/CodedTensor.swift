/// A tensor's values as per-element integer codes plus the side tables that give them meaning:
/// the lossless intermediate between `[Float]` and bytes. Every encoding stores exactly this,
/// so `TensorCodec.decode(TensorCodec.encode(t))` returns `t` unchanged.
///
/// Build one with `float32(_:)`, `float16(_:)`, `affine(...)` or `palette(...)`; read the
/// values back with `values()`.
public struct CodedTensor: Equatable, Sendable {
    /// The element representation (bit widths, channel and centroid counts).
    public let format: ElementFormat
    /// One code per element (row-major), each below `2^format.codeBits`.
    public let codes: [UInt32]
    /// Affine only: one positive finite scale per channel.
    public let scales: [Float]
    /// Affine only: one zero point per channel, inside the code range.
    public let zeroPoints: [Int32]
    /// Palette only: the centroids, exactly as stored (already rounded for `.float16`).
    public let centroids: [Float]

    /// Creates a coded tensor after validating every code and table (used by the decoder and
    /// the constructors).
    init(format: ElementFormat, codes: [UInt32], scales: [Float] = [], zeroPoints: [Int32] = [], centroids: [Float] = []) throws(EncodingError) {
        try format.validate(elementCount: codes.count)
        switch format {
        case .float32, .float16:
            guard scales.isEmpty, zeroPoints.isEmpty, centroids.isEmpty else {
                throw .invalidParameters("float elements take no scales, zero points or centroids")
            }
            if format == .float16 { try Self.checkCodes(codes, below: 1 << 16, name: "float16 bits") }
        case let .affine(bits, isSigned, channelCount):
            guard scales.count == channelCount, zeroPoints.count == channelCount, centroids.isEmpty else {
                throw .invalidParameters("\(scales.count) scales and \(zeroPoints.count) zero points for \(channelCount) channels")
            }
            let range = ElementFormat.affineCodeRange(bits: bits, isSigned: isSigned)
            for channel in 0..<channelCount {
                guard scales[channel].isFinite, scales[channel] > 0 else {
                    throw .invalidParameters("scale \(scales[channel]) of channel \(channel) is not positive and finite")
                }
                guard range.contains(zeroPoints[channel]) else {
                    throw .invalidParameters("zero point \(zeroPoints[channel]) of channel \(channel) is outside \(range)")
                }
            }
            try Self.checkCodes(codes, below: UInt64(1) << UInt64(bits), name: "affine codes")
        case let .palette(_, centroidCount, centroidFormat):
            guard centroids.count == centroidCount, scales.isEmpty, zeroPoints.isEmpty else {
                throw .invalidParameters("\(centroids.count) centroids for a palette of \(centroidCount)")
            }
            _ = centroidFormat // centroids are rounded by `palette(...)` and exact when decoded
            try Self.checkCodes(codes, below: UInt64(centroidCount), name: "palette indices")
        }
        self.format = format
        self.codes = codes
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.centroids = centroids
    }

    private static func checkCodes(_ codes: [UInt32], below limit: UInt64, name: String) throws(EncodingError) {
        var bad = -1
        codes.withUnsafeBufferPointer { buffer in
            for index in 0..<buffer.count where UInt64(buffer[index]) >= limit {
                bad = index
                return
            }
        }
        if bad >= 0 { throw .codeOutOfRange(name: name, position: bad, code: UInt64(codes[bad]), limit: limit) }
    }

    /// The number of elements.
    public var elementCount: Int { codes.count }

    // MARK: Constructors

    /// `values` stored as binary32 (exact, NaN payloads included).
    public static func float32(_ values: [Float]) -> CodedTensor {
        // Safe: float32 has no tables and every UInt32 is a valid code.
        try! CodedTensor(format: .float32, codes: values.map(\.bitPattern))
    }

    /// `values` rounded to binary16 by `HalfPrecision` (round to nearest, ties to even).
    public static func float16(_ values: [Float]) -> CodedTensor {
        try! CodedTensor(format: .float16, codes: values.map { UInt32(HalfPrecision.bits(from: $0)) })
    }

    /// Affine integer codes `q` (each inside the `bits`/`isSigned` range) with one scale and
    /// zero point per channel (one for per tensor; several: channels along axis 0).
    public static func affine(
        codes: [Int32], bits: Int, isSigned: Bool, scales: [Float], zeroPoints: [Int32]
    ) throws(EncodingError) -> CodedTensor {
        guard ElementFormat.supportedIntegerBits.contains(bits) else {
            throw .invalidBitWidth(name: "affine codes", bits: bits, allowed: ElementFormat.supportedIntegerBits)
        }
        let range = ElementFormat.affineCodeRange(bits: bits, isSigned: isSigned)
        let mask = UInt32((UInt64(1) << UInt64(bits)) - 1)
        var stored = [UInt32](repeating: 0, count: codes.count)
        for (index, code) in codes.enumerated() {
            guard range.contains(code) else {
                throw .codeOutOfRange(name: "affine codes", position: index, code: UInt64(UInt32(bitPattern: code)), limit: UInt64(mask) + 1)
            }
            stored[index] = UInt32(bitPattern: code) & mask
        }
        return try CodedTensor(
            format: .affine(bits: bits, isSigned: isSigned, channelCount: scales.count),
            codes: stored, scales: scales, zeroPoints: zeroPoints)
    }

    /// Quantizes `values` exactly as ShrinkCompression's `AffineQuantization.quantize` does:
    /// `q = clamp(roundHalfEven(x / scale) + zeroPoint, qmin, qmax)` in `Float`, NaN → zero point.
    public static func affine(
        quantizing values: [Float], bits: Int, isSigned: Bool, scales: [Float], zeroPoints: [Int32]
    ) throws(EncodingError) -> CodedTensor {
        guard ElementFormat.supportedIntegerBits.contains(bits) else {
            throw .invalidBitWidth(name: "affine codes", bits: bits, allowed: ElementFormat.supportedIntegerBits)
        }
        let format = ElementFormat.affine(bits: bits, isSigned: isSigned, channelCount: scales.count)
        try format.validate(elementCount: values.count)
        guard zeroPoints.count == scales.count else {
            throw .invalidParameters("\(scales.count) scales but \(zeroPoints.count) zero points")
        }
        let range = ElementFormat.affineCodeRange(bits: bits, isSigned: isSigned)
        let low = Float(range.lowerBound), high = Float(range.upperBound)
        var codes = [Int32](repeating: 0, count: values.count)
        let inner = scales.isEmpty ? 0 : values.count / scales.count
        for index in 0..<values.count {
            let channel = index / inner
            let value = values[index], zeroPoint = zeroPoints[channel]
            if value.isNaN {
                codes[index] = zeroPoint
                continue
            }
            let code = (value / scales[channel]).rounded(.toNearestOrEven) + Float(zeroPoint)
            codes[index] = Int32(min(max(code, low), high))
        }
        return try affine(codes: codes, bits: bits, isSigned: isSigned, scales: scales, zeroPoints: zeroPoints)
    }

    /// Palette indices into `centroids` (stored as `centroidFormat`; with `.float16` the
    /// centroids are rounded first). `bits` is the index width, `centroids.count <= 2^bits`.
    public static func palette(
        indices: [UInt16], centroids: [Float], bits: Int, centroidFormat: FloatFormat = .float32
    ) throws(EncodingError) -> CodedTensor {
        try CodedTensor(
            format: .palette(bits: bits, centroidCount: centroids.count, centroidFormat: centroidFormat),
            codes: indices.map { UInt32($0) }, centroids: centroids.map { centroidFormat.stored($0) })
    }

    // MARK: Reading

    /// The signed affine integer codes `q` (nil unless the format is affine).
    public func affineCodes() -> [Int32]? {
        guard case let .affine(bits, isSigned, _) = format else { return nil }
        return codes.map { Self.affineCode(fromStored: $0, bits: bits, isSigned: isSigned) }
    }

    @inline(__always)
    static func affineCode(fromStored code: UInt32, bits: Int, isSigned: Bool) -> Int32 {
        guard isSigned else { return Int32(bitPattern: code) }
        let shift = UInt32(32 - bits) // sign-extend the low `bits` bits
        return Int32(bitPattern: code << shift) >> Int32(shift)
    }

    /// The element values: the float bits, `Float(q − zeroPoint) · scale` (as ShrinkCompression's
    /// `AffineQuantization.dequantize` computes it), or `centroids[index]`.
    public func values() -> [Float] {
        var result = [Float](repeating: 0, count: codes.count)
        codes.withUnsafeBufferPointer { input in
            result.withUnsafeMutableBufferPointer { output in
                switch format {
                case .float32:
                    for index in 0..<input.count { output[index] = Float(bitPattern: input[index]) }
                case .float16:
                    for index in 0..<input.count { output[index] = HalfPrecision.float(fromBits: UInt16(truncatingIfNeeded: input[index])) }
                case let .affine(bits, isSigned, channelCount):
                    guard channelCount > 0 else { return }
                    let inner = input.count / channelCount
                    for index in 0..<input.count {
                        let channel = index / inner
                        let code = Self.affineCode(fromStored: input[index], bits: bits, isSigned: isSigned)
                        output[index] = Float(code - zeroPoints[channel]) * scales[channel]
                    }
                case .palette:
                    centroids.withUnsafeBufferPointer { table in
                        for index in 0..<input.count { output[index] = table[Int(input[index])] }
                    }
                }
            }
        }
        return result
    }

    /// The code that stands for "zero" at element `position`, which sparse storage omits:
    /// +0.0 bits for floats, the channel's zero point for affine, index 0 for palettes.
    func zeroCode(atPosition position: Int) -> UInt32 {
        switch format {
        case .float32, .float16, .palette:
            return 0
        case let .affine(bits, _, channelCount):
            let channel = position / (codes.count / channelCount)
            return UInt32(bitPattern: zeroPoints[channel]) & UInt32((UInt64(1) << UInt64(bits)) - 1)
        }
    }
}
