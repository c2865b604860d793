/// Per-layer options of int8 quantization: weights are signed symmetric 8-bit, per output
/// channel unless `isPerChannel` is false.
public struct Int8LayerSetting: Codable, Equatable, Sendable {
    public var isPerChannel: Bool

    public init(isPerChannel: Bool = true) {
        self.isPerChannel = isPerChannel
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        isPerChannel = try container.decodeIfPresent(Bool.self, forKey: .isPerChannel) ?? true
    }

    /// The weight scheme: 8-bit signed symmetric (codes −127…127).
    public var weightScheme: QuantizationScheme {
        QuantizationScheme(bits: 8, isSigned: true, isSymmetric: true, isPerChannel: isPerChannel)
    }

    /// The activation scheme: 8-bit unsigned asymmetric per tensor.
    public static let activationScheme = QuantizationScheme.activations(bits: 8)
}
