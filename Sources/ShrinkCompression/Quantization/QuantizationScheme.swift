/// How a tensor is to be quantized: bit width, integer range, symmetry and granularity.
///
/// - **Symmetric** schemes use the *restricted* range `±(2^(b−1) − 1)` around the zero point, so
///   `scale = max(|min|, |max|) / (2^(b−1) − 1)` and `+amax` and `−amax` are both representable
///   (TensorRT/TFLite convention; 8-bit weights use codes −127…127). The zero point is 0 (signed)
///   or `2^(b−1)` (unsigned). Symmetric needs at least 2 bits: 2-bit symmetric is ternary
///   `{−scale, 0, +scale}`.
/// - **Asymmetric** schemes map `[min(min, 0), max(max, 0)]` onto the full integer range:
///   `scale = (max − min) / (qmax − qmin)`, `zeroPoint = qmin − round(min / scale)`, so zero is
///   always exactly representable. 1 bit is allowed and gives the grid `{0, scale}` (or
///   `{−scale, 0}` when the range is mostly negative); the binary grid `{−s, +s}` is not affine with
///   an integer zero point and is therefore not offered.
/// - **Per channel** uses one scale and zero point per slice along axis 0 (the output channel of
///   Linear `[out, in]` and Conv2D `[out, in, kh, kw]` weights).
public struct QuantizationScheme: Codable, Equatable, Hashable, Sendable {
    /// Bits per value, 1...16.
    public var bits: Int
    /// Signed integer range `−2^(b−1) … 2^(b−1) − 1`, or unsigned `0 … 2^b − 1`.
    public var isSigned: Bool
    /// Zero point fixed at the middle of the range (see the type's documentation).
    public var isSymmetric: Bool
    /// One scale per output channel (axis 0) instead of one per tensor.
    public var isPerChannel: Bool

    public init(bits: Int, isSigned: Bool = true, isSymmetric: Bool = true, isPerChannel: Bool = false) {
        self.bits = bits
        self.isSigned = isSigned
        self.isSymmetric = isSymmetric
        self.isPerChannel = isPerChannel
    }

    /// Signed symmetric per-channel weights (the int8 weight scheme at 8 bits).
    public static func weights(bits: Int) -> QuantizationScheme {
        QuantizationScheme(bits: bits, isSigned: true, isSymmetric: true, isPerChannel: true)
    }

    /// Unsigned asymmetric per-tensor activations (the u8 activation scheme at 8 bits).
    public static func activations(bits: Int) -> QuantizationScheme {
        QuantizationScheme(bits: bits, isSigned: false, isSymmetric: false, isPerChannel: false)
    }

    enum CodingKeys: String, CodingKey {
        case bits, isSigned, isSymmetric, isPerChannel
    }

    /// Decodes `{"bits": 4}`; the flags default to signed, symmetric, per tensor.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bits = try container.decode(Int.self, forKey: .bits)
        isSigned = try container.decodeIfPresent(Bool.self, forKey: .isSigned) ?? true
        isSymmetric = try container.decodeIfPresent(Bool.self, forKey: .isSymmetric) ?? true
        isPerChannel = try container.decodeIfPresent(Bool.self, forKey: .isPerChannel) ?? false
    }

    /// The smallest integer code.
    public var minimumCode: Int32 { isSigned ? -(Int32(1) << (bits - 1)) : 0 }
    /// The largest integer code.
    public var maximumCode: Int32 { isSigned ? (Int32(1) << (bits - 1)) - 1 : (Int32(1) << bits) - 1 }

    /// Throws unless 1 <= bits <= 16 and symmetric schemes have at least 2 bits.
    public func validate() throws(QuantizationError) {
        guard (1...16).contains(bits) else {
            throw .invalidSetting(name: "bits", value: "\(bits)", reason: "must be 1...16")
        }
        guard !isSymmetric || bits >= 2 else {
            throw .invalidSetting(
                name: "isSymmetric", value: "true with 1 bit",
                reason: "a symmetric grid needs at least 2 bits (2 bits = ternary); use asymmetric 1-bit")
        }
    }

    /// A short description such as `8-bit signed symmetric per-channel`.
    public var summary: String {
        "\(bits)-bit \(isSigned ? "signed" : "unsigned") \(isSymmetric ? "symmetric" : "asymmetric") \(isPerChannel ? "per-channel" : "per-tensor")"
    }
}
