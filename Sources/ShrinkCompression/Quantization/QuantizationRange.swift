/// A closed interval of real values to be mapped onto an integer grid.
public struct QuantizationRange: Codable, Equatable, Sendable {
    public var minimum: Float
    public var maximum: Float

    public init(minimum: Float, maximum: Float) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The smallest and largest finite values of `values` (NaN and ±infinity ignored), or nil
    /// when there are none.
    public static func finiteExtremes(of values: UnsafeBufferPointer<Float>) -> QuantizationRange? {
        var low = Float.infinity
        var high = -Float.infinity
        for value in values where value.isFinite {
            low = Swift.min(low, value)
            high = Swift.max(high, value)
        }
        return low <= high ? QuantizationRange(minimum: low, maximum: high) : nil
    }

    /// The largest magnitude, `max(|minimum|, |maximum|)`.
    public var absoluteMaximum: Float { Swift.max(Swift.abs(minimum), Swift.abs(maximum)) }
}
