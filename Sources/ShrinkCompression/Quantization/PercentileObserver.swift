/// The `percent` and `100 − percent` percentiles of the observed values (linear interpolation
/// between order statistics, as `numpy.percentile`), cutting rare outliers off both ends.
public struct PercentileObserver: Observer {
    /// The upper percentile, e.g. 99.99; the lower one is `100 − percent`.
    public var percent: Double
    public private(set) var reservoir: SampleReservoir

    public init(percent: Double, seed: UInt64 = 0, capacity: Int = 1 << 21) {
        precondition(percent > 50 && percent <= 100, "percentile must be in (50, 100], got \(percent)")
        self.percent = percent
        reservoir = SampleReservoir(capacity: capacity, seed: seed)
    }

    public var name: String { "percentile \(percent)" }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        reservoir.add(values)
    }

    public func range() throws(QuantizationError) -> QuantizationRange {
        guard !reservoir.samples.isEmpty else { throw .noObservations(observer: name) }
        let sorted = reservoir.samples.sorted()
        return QuantizationRange(
            minimum: Self.percentile(100 - percent, ofSorted: sorted),
            maximum: Self.percentile(percent, ofSorted: sorted))
    }

    /// The `percent` percentile of ascending `sorted` values, interpolating linearly.
    static func percentile(_ percent: Double, ofSorted sorted: [Float]) -> Float {
        let position = percent / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = Float(position - Double(lower))
        return sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }
}
