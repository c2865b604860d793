import Foundation

/// Entropy calibration as in TensorRT (Migacz, "8-bit Inference with TensorRT", 2017).
///
/// A histogram of |x| with `histogramBins` (2048) bins over `[0, max|x|]`. For every candidate
/// threshold bin `i` from `targetBins` (2^(bits−1), 128 at 8 bits) to `histogramBins`: the
/// reference distribution P is bins `0..<i` with all outlier counts added to bin `i − 1`; the
/// candidate Q merges bins `0..<i` (without outliers) into `targetBins` groups and spreads each
/// group's count evenly over its non-empty bins. The threshold is `i · binWidth` for the `i`
/// minimizing KL(P‖Q) (the largest such `i` on ties). The range is `[max(min, −T), min(max, T)]`.
public struct EntropyObserver: Observer {
    /// Bits of the target grid: `targetBins = 2^(bits − 1)`.
    public var bits: Int
    public var histogramBins: Int
    public private(set) var reservoir: SampleReservoir

    public init(bits: Int = 8, histogramBins: Int = 2048, seed: UInt64 = 0, capacity: Int = 1 << 21) {
        precondition(bits >= 1 && bits <= 16, "bits must be 1...16")
        precondition(histogramBins > 0, "histogram needs bins")
        self.bits = bits
        self.histogramBins = histogramBins
        reservoir = SampleReservoir(capacity: capacity, seed: seed)
    }

    public var name: String { "entropy" }

    public var targetBins: Int { 1 << (bits - 1) }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        reservoir.add(values)
    }

    /// The histogram of |x| over `[0, max|x|]` and its bin width.
    public func absoluteHistogram() -> (counts: [Double], binWidth: Float) {
        let maximum = reservoir.extremes?.absoluteMaximum ?? 0
        var counts = [Double](repeating: 0, count: histogramBins)
        guard maximum > 0 else { return (counts, 0) }
        let binsPerUnit = Float(histogramBins) / maximum
        reservoir.samples.withUnsafeBufferPointer { samples in
            counts.withUnsafeMutableBufferPointer { histogram in
                for value in samples {
                    let bin = min(Int(abs(value) * binsPerUnit), histogramBins - 1)
                    histogram[bin] += 1
                }
            }
        }
        return (counts, maximum / Float(histogramBins))
    }

    /// KL(P‖Q) for threshold bin `threshold` (see the type's documentation).
    static func divergence(histogram: UnsafeBufferPointer<Double>, threshold: Int, targetBins: Int, outliers: Double) -> Double {
        var groupSums = [Double](repeating: 0, count: targetBins)
        var groupNonEmpty = [Int](repeating: 0, count: targetBins)
        for bin in 0..<threshold where histogram[bin] != 0 {
            let group = bin * targetBins / threshold
            groupSums[group] += histogram[bin]
            groupNonEmpty[group] += 1
        }
        var totalP = outliers
        var totalQ = 0.0
        for bin in 0..<threshold { totalP += histogram[bin] }
        for group in 0..<targetBins { totalQ += groupSums[group] }
        guard totalP > 0, totalQ > 0 else { return .infinity }
        var divergence = 0.0
        for bin in 0..<threshold {
            var p = histogram[bin]
            if bin == threshold - 1 { p += outliers }
            guard p > 0 else { continue }
            guard histogram[bin] != 0 else { return .infinity }
            let group = bin * targetBins / threshold
            let q = groupSums[group] / Double(groupNonEmpty[group]) / totalQ
            let pNormalized = p / totalP
            divergence += pNormalized * log(pNormalized / q)
        }
        return divergence
    }

    /// The |x| threshold minimizing the divergence.
    public func threshold() throws(QuantizationError) -> Float {
        guard let extremes = reservoir.extremes else { throw .noObservations(observer: name) }
        let (counts, binWidth) = absoluteHistogram()
        guard binWidth > 0, targetBins < histogramBins else { return extremes.absoluteMaximum }
        var suffix = [Double](repeating: 0, count: histogramBins + 1)
        for bin in stride(from: histogramBins - 1, through: 0, by: -1) { suffix[bin] = suffix[bin + 1] + counts[bin] }
        var best = histogramBins
        var bestDivergence = Double.infinity
        counts.withUnsafeBufferPointer { histogram in
            for candidate in targetBins...histogramBins {
                let divergence = Self.divergence(
                    histogram: histogram, threshold: candidate, targetBins: targetBins, outliers: suffix[candidate])
                if divergence <= bestDivergence {
                    bestDivergence = divergence
                    best = candidate
                }
            }
        }
        return Float(best) * binWidth
    }

    public func range() throws(QuantizationError) -> QuantizationRange {
        guard let extremes = reservoir.extremes else { throw .noObservations(observer: name) }
        let threshold = try threshold()
        return QuantizationRange(minimum: max(extremes.minimum, -threshold), maximum: min(extremes.maximum, threshold))
    }
}
