import Foundation

/// How reports meant for people write numbers: decimal SI units, a fixed number of significant
/// digits, and "–" for a missing figure (never 0).
public enum ReportFormatting {
    /// The placeholder for a figure that was not measured.
    public static let missing = "–"

    /// Bytes in decimal units: `812 B`, `270.0 kB`, `1.25 MB`, `3.10 GB`.
    public static func bytes(_ value: Int?) -> String {
        guard let value else { return missing }
        let magnitude = Double(value)
        if abs(magnitude) < 1000 { return "\(value) B" }
        return scaled(magnitude, units: [(1e9, "GB"), (1e6, "MB"), (1e3, "kB")])
    }

    /// Seconds with the unit that keeps three significant digits readable: `812 ns`, `12.3 µs`,
    /// `4.56 ms`, `1.20 s`.
    public static func seconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        if value == 0 { return "0 s" }
        return scaled(value, units: [(1, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")])
    }

    /// Joules in the same way: `1.23 µJ`, `456 nJ`, `12.0 pJ`.
    public static func joules(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        if value == 0 { return "0 J" }
        return scaled(value, units: [(1, "J"), (1e-3, "mJ"), (1e-6, "µJ"), (1e-9, "nJ"), (1e-12, "pJ")])
    }

    /// A fraction as a percentage with two decimals: `98.57 %`.
    public static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return missing }
        return String(format: "%.2f %%", fraction * 100)
    }

    /// Percentage points with a sign: `+0.12 pp`, `−1.30 pp`, `±0.00 pp`.
    public static func points(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        let rounded = String(format: "%.2f", abs(value))
        if rounded == "0.00" { return "±0.00 pp" }
        return (value > 0 ? "+" : "−") + rounded + " pp"
    }

    /// A ratio against the baseline: `×4.00`, `×0.87`, `×123`.
    public static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        return "×" + significant(value)
    }

    /// Samples per second: `512k/s`, `1.20M/s`, `830/s`.
    public static func throughput(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        if value < 1000 { return significant(value) + "/s" }
        return scaled(value, units: [(1e9, "G/s"), (1e6, "M/s"), (1e3, "k/s")], separator: "")
    }

    /// Three significant digits without an exponent: `4.00`, `12.3`, `456`, `0.123`.
    public static func significant(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.1f", value) }
        if magnitude >= 1 || magnitude == 0 { return String(format: "%.2f", value) }
        let decimals = min(12, 2 - Int(floor(log10(magnitude))))
        return String(format: "%.\(decimals)f", value)
    }

    static func scaled(_ value: Double, units: [(scale: Double, name: String)], separator: String = " ") -> String {
        let magnitude = abs(value)
        for unit in units where magnitude >= unit.scale * 0.9995 {
            return significant(value / unit.scale) + separator + unit.name
        }
        let smallest = units[units.count - 1]
        return significant(value / smallest.scale) + separator + smallest.name
    }
}
