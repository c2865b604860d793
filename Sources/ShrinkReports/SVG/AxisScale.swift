import Foundation

/// Maps data values to pixel positions along one axis, linearly or logarithmically, and picks
/// readable tick values.
struct AxisScale {
    /// The data interval shown.
    var lower: Double
    var upper: Double
    /// The pixel interval it maps to (`start` is where `lower` lands; may be greater than `end`).
    var start: Double
    var end: Double
    var logarithmic: Bool
    /// The tick values, inside `lower...upper`.
    var ticks: [Double]
    /// The distance between neighbouring ticks of a linear scale (nil for a logarithmic one).
    var step: Double? = nil

    /// The tick `value` written with as many decimals as the step needs to tell neighbours apart
    /// (98.55, 98.60, 98.65 for a step of 0.05; 98.5, 98.75 never both "98.6"); a logarithmic
    /// scale's ticks with three significant digits.
    func label(_ value: Double) -> String {
        guard let step else { return ReportFormatting.significant(value) }
        return String(format: "%.\(Self.decimals(forStep: step))f", value)
    }

    /// The fewest decimals that write every multiple of `step` exactly (to 1e-9 of the step):
    /// 0 for 1, 2, 5, 10; 1 for 0.5; 2 for 0.25 and 0.05; 3 for 0.025.
    static func decimals(forStep step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        for decimals in 0...12 {
            let scaled = step * pow(10, Double(decimals))
            if abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled) { return decimals }
        }
        return 12
    }

    /// A linear scale over `values` widened to round tick steps, optionally clamped.
    static func linear(values: [Double], start: Double, end: Double, clampTo limits: ClosedRange<Double>? = nil,
                       includeZero: Bool = false) -> AxisScale {
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if includeZero { low = min(low, 0) }
        if high - low < 1e-12 {
            let pad = high == 0 ? 1 : abs(high) * 0.05
            low -= pad
            high += pad
        } else if !includeZero {
            let pad = (high - low) * 0.08
            low -= pad
            high += pad
        }
        if let limits {
            low = max(low, limits.lowerBound)
            high = min(high, limits.upperBound)
        }
        let step = niceStep((high - low) / 5)
        var lower = floor(low / step) * step
        var upper = ceil(high / step) * step
        if let limits {
            lower = max(lower, limits.lowerBound)
            upper = min(upper, limits.upperBound)
        }
        var ticks: [Double] = []
        var tick = ceil(lower / step - 1e-9) * step
        while tick <= upper + step * 1e-9 {
            ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return AxisScale(lower: lower, upper: upper, start: start, end: end, logarithmic: false, ticks: ticks, step: step)
    }

    /// A base-10 logarithmic scale over the positive `values`, padded by a quarter of a decade
    /// at each end; ticks at powers of ten, plus 2× and 5× when the range spans under two decades.
    static func logarithmic(values: [Double], start: Double, end: Double) -> AxisScale {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        var low = log10(positive.min() ?? 1)
        var high = log10(positive.max() ?? 10)
        let padding = max(0.12, (high - low) * 0.08)
        low -= padding
        high += padding
        let lower = pow(10, low)
        let upper = pow(10, high)
        var ticks: [Double] = []
        let multiples: [Double] = high - low < 1.2 ? [1, 1.5, 2, 3, 5, 7] : high - low < 2.5 ? [1, 2, 5] : [1]
        for exponent in Int(floor(low))...Int(ceil(high)) {
            for multiple in multiples {
                let value = multiple * pow(10, Double(exponent))
                if value >= lower, value <= upper { ticks.append(value) }
            }
        }
        return AxisScale(lower: lower, upper: upper, start: start, end: end, logarithmic: true, ticks: ticks)
    }

    /// The pixel position of `value`.
    func position(_ value: Double) -> Double {
        let fraction: Double
        if logarithmic {
            fraction = (log10(max(value, 1e-300)) - log10(lower)) / (log10(upper) - log10(lower))
        } else {
            fraction = upper == lower ? 0.5 : (value - lower) / (upper - lower)
        }
        return start + fraction * (end - start)
    }

    /// 1, 2, 2.5 or 5 times a power of ten, at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let power = pow(10, floor(log10(rough)))
        for multiple in [1, 2, 2.5, 5, 10] as [Double] where multiple * power >= rough * 0.999 {
            return multiple * power
        }
        return 10 * power
    }
}
