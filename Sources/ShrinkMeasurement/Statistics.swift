#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Descriptive statistics of a sample of measurements.
public enum Statistics {
    /// The arithmetic mean.
    public static func mean(_ values: [Double]) throws -> Double {
        guard !values.isEmpty else { throw MeasurementError.emptySample(statistic: "mean") }
        return values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (divisor n − 1, `numpy.std(ddof=1)`); 0 for one value.
    public static func standardDeviation(_ values: [Double]) throws -> Double {
        let average = try mean(values)
        guard values.count > 1 else { return 0 }
        let squares = values.reduce(0) { $0 + ($1 - average) * ($1 - average) }
        return (squares / Double(values.count - 1)).squareRoot()
    }

    /// The median (the 50th percentile: the mean of the two middle values for an even count).
    public static func median(_ values: [Double]) throws -> Double {
        try percentile(values, 50)
    }

    /// The `percent`-th percentile with linear interpolation between order statistics, as
    /// `numpy.percentile(method="linear")`: position h = (n − 1)·percent/100 in the sorted
    /// values, value x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
    public static func percentile(_ values: [Double], _ percent: Double) throws -> Double {
        guard !values.isEmpty else { throw MeasurementError.emptySample(statistic: "percentile") }
        return try percentile(sorted: values.sorted(), percent)
    }

    /// `percentile` of values already sorted in increasing order.
    public static func percentile(sorted: [Double], _ percent: Double) throws -> Double {
        guard !sorted.isEmpty else { throw MeasurementError.emptySample(statistic: "percentile") }
        guard percent >= 0, percent <= 100 else {
            throw MeasurementError.invalidArgument(name: "percent", reason: "\(percent) is outside 0...100")
        }
        let position = Double(sorted.count - 1) * percent / 100
        let lowerIndex = Int(position.rounded(.down))
        let fraction = position - Double(lowerIndex)
        guard lowerIndex + 1 < sorted.count, fraction > 0 else { return sorted[lowerIndex] }
        return sorted[lowerIndex] + fraction * (sorted[lowerIndex + 1] - sorted[lowerIndex])
    }

    /// The distribution-free confidence interval of the median from order statistics:
    /// [x₍ₗ₎, x₍ₙ₋ₗ₊₁₎] (1-based ranks in the sorted sample) with the largest l such that
    /// 2·P(B ≤ l − 1) ≤ 1 − level, B ~ Binomial(n, ½). It holds for any continuous distribution
    /// of independent runs. Returns nil when no such l ≥ 1 exists (n < 6 for level 0.95).
    public static func medianConfidenceInterval(_ values: [Double], level: Double = 0.95) throws -> ConfidenceInterval? {
        guard !values.isEmpty else { throw MeasurementError.emptySample(statistic: "median confidence interval") }
        guard level > 0, level < 1 else {
            throw MeasurementError.invalidArgument(name: "level", reason: "\(level) is outside (0, 1)")
        }
        let sorted = values.sorted()
        let count = sorted.count
        let alpha = 1 - level
        var lowerRank = 0 // 1-based; 0 means none found yet
        var cumulative = 0.0 // P(B ≤ lowerRank − 1) for the candidate lowerRank
        var candidate = 1
        var tail = binomialHalfProbability(count: count, successes: 0) // P(B ≤ 0)
        while candidate <= count / 2, 2 * tail <= alpha {
            lowerRank = candidate
            cumulative = tail
            tail += binomialHalfProbability(count: count, successes: candidate)
            candidate += 1
        }
        guard lowerRank >= 1 else { return nil }
        return ConfidenceInterval(
            lower: sorted[lowerRank - 1], upper: sorted[count - lowerRank], level: level,
            coverage: 1 - 2 * cumulative, method: "median_order_statistics")
    }

    /// The Student-t confidence interval of the mean: mean ± t(level, n − 1)·s/√n. Returns nil
    /// for fewer than two values.
    public static func meanConfidenceInterval(_ values: [Double], level: Double = 0.95) throws -> ConfidenceInterval? {
        guard !values.isEmpty else { throw MeasurementError.emptySample(statistic: "mean confidence interval") }
        guard level > 0, level < 1 else {
            throw MeasurementError.invalidArgument(name: "level", reason: "\(level) is outside (0, 1)")
        }
        guard values.count > 1 else { return nil }
        let average = try mean(values)
        let deviation = try standardDeviation(values)
        let quantile = StudentT.quantile(probability: 1 - (1 - level) / 2, degreesOfFreedom: Double(values.count - 1))
        let halfWidth = quantile * deviation / Double(values.count).squareRoot()
        return ConfidenceInterval(lower: average - halfWidth, upper: average + halfWidth, level: level,
                                  coverage: level, method: "mean_student_t")
    }

    /// P(B = successes) for B ~ Binomial(count, ½), computed in log space (no underflow for
    /// large counts).
    static func binomialHalfProbability(count: Int, successes: Int) -> Double {
        let n = Double(count), k = Double(successes)
        let logChoose = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
        return exp(logChoose - n * log(2.0))
    }
}
