import ShrinkTensor

/// A uniform random sample (Vitter's algorithm R, seeded) of at most `capacity` finite values
/// from a stream, plus the stream's exact minimum and maximum. Below the capacity it holds
/// every value, so histogram observers are exact for typical calibration sets.
public struct SampleReservoir: Sendable {
    /// The most values kept.
    public let capacity: Int
    /// The kept values (all finite values seen, while fewer than `capacity`).
    public private(set) var samples: [Float] = []
    /// How many finite values were seen.
    public private(set) var seen: Int = 0
    /// The exact extremes of everything seen.
    public private(set) var extremes: QuantizationRange?
    private var generator: SeededRandomNumberGenerator

    public init(capacity: Int = 1 << 21, seed: UInt64 = 0) {
        precondition(capacity > 0, "reservoir capacity must be positive")
        self.capacity = capacity
        generator = SeededRandomNumberGenerator(seed: seed)
    }

    /// Adds the finite values of one batch.
    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        guard let batch = QuantizationRange.finiteExtremes(of: values) else { return }
        if let current = extremes {
            extremes = QuantizationRange(minimum: min(current.minimum, batch.minimum), maximum: max(current.maximum, batch.maximum))
        } else {
            extremes = batch
        }
        for value in values where value.isFinite {
            if samples.count < capacity {
                samples.append(value)
            } else {
                let slot = Int(generator.next() % UInt64(seen + 1))
                if slot < capacity { samples[slot] = value }
            }
            seen += 1
        }
    }
}
