/// Static (calibrated) quantization of one graph value, an activation: `real ≈ (q − zeroPoint) · scale`
/// with integer `q` in the range of `bits` (unsigned `0 … 2^bits − 1` or signed). Stored per value
/// name in the model file (`ModelFile.activationQuantization`); the runtime's integer kernels
/// quantize that value with exactly these parameters instead of measuring each batch.
public struct ActivationQuantization: Codable, Equatable, Sendable {
    /// Positive and finite.
    public var scale: Float
    /// Within the integer range.
    public var zeroPoint: Int32
    /// Bits per value (8 for u8 activations).
    public var bits: Int
    public var isSigned: Bool

    public init(scale: Float, zeroPoint: Int32, bits: Int = 8, isSigned: Bool = false) {
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.bits = bits
        self.isSigned = isSigned
    }

    enum CodingKeys: String, CodingKey {
        case scale
        case zeroPoint = "zero_point"
        case bits
        case isSigned = "signed"
    }
}
