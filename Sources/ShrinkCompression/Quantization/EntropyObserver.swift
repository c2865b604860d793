import Foundation

/// Entropy calibration as in TensorRT (Migacz, "8-bit Inference with TensorRT", 2017).
///
/// A histogram of x > 0 with `histogramBins` (2048) bins over `[0, max]`. For every candidate
/// threshold bin `i` from `targetBins` (2^(bits−1), 128 at 8 bits) to `histogramBins`: the
/// reference distribution P is bins `0..<i` with all outlier counts added to bin `i − 1`; the
/// candidate Q merges bins `0..<i` (without outliers) into `targetBins` groups and spreads each
/// group's count evenly over its non-empty bins. The threshold is `i · binWidth` for the `i`
/// minimizing KL(P‖Q) (the largest such `i` on ties). For non-negative data (ReLU outputs, the
/// usual case) this is exactly TensorRT's algorithm and the range is `[min, T]`. Negative values
/// get the same search on their magnitudes, separately: folding |x| as TensorRT does lets a spike
/// on one side (such as the MNIST background value −0.42 of the network input) pull the threshold
/// of the other side far down. The range is then `[−T₋, T₊]`, clipped to the observed extremes.
/// Exact zeros are left out of the histograms (pytorch-quantization's `skip_zeros`): zero is
/// exactly representable under every threshold, and the spike of ReLU zeros in the first bin
/// would otherwise make every threshold but the smallest look costly (its group-averaged Q
/// spreads the spike over the first group).
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

    /// The histogram of the magnitudes of the non-zero values on one side of zero (`positive`:
    /// x > 0, otherwise x < 0) over `[0, max magnitude]`, and its bin width (0 when the side is
    /// empty).
    public func histogram(positive: Bool) -> (counts: [Double], binWidth: Float) {
        let extremes = reservoir.extremes ?? QuantizationRange(minimum: 0, maximum: 0)
        let maximum = positive ? max(extremes.maximum, 0) : max(-extremes.minimum, 0)
        var counts = [Double](repeating: 0, count: histogramBins)
        guard maximum > 0 else { return (counts, 0) }
        let binsPerUnit = Float(histogramBins) / maximum
        reservoir.samples.withUnsafeBufferPointer { samples in
            counts.withUnsafeMutableBufferPointer { histogram in
                for value in samples where value != 0 && (value > 0) == positive {
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

    /// The magnitude threshold minimizing the divergence for one histogram.
    func threshold(counts: [Double], binWidth: Float) -> Float {
        guard binWidth > 0, targetBins < histogramBins else { return Float(histogramBins) * binWidth }
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

    /// The thresholds of the non-negative side and of the negative side (as a magnitude).
    public func thresholds() throws(QuantizationError) -> (positive: Float, negative: Float) {
        guard reservoir.extremes != nil else { throw .noObservations(observer: name) }
        let positive = histogram(positive: true)
        let negative = histogram(positive: false)
        return (threshold(counts: positive.counts, binWidth: positive.binWidth),
                threshold(counts: negative.counts, binWidth: negative.binWidth))
    }

    public func range() throws(QuantizationError) -> QuantizationRange {
        guard let extremes = reservoir.extremes else { throw .noObservations(observer: name) }
        let (positive, negative) = try thresholds()
        return QuantizationRange(minimum: max(extremes.minimum, -negative), maximum: min(extremes.maximum, positive))
    }
}
