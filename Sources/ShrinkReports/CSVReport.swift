import Foundation

/// A comparison as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold
/// a comma, quote or line break, quotes doubled), one row per variant, plain numbers in SI base
/// units (bytes, seconds, joules, fractions), an empty field for a missing figure.
///
/// Header names are stable: `variant, architecture, is_baseline, file_bytes, gzip_bytes,
/// file_compression_ratio, gzip_compression_ratio, peak_resident_bytes`, then per measured batch
/// size N `latency_b{N}_median_seconds, latency_b{N}_samples_per_second, latency_b{N}_speed_up`,
/// then `modelled_energy_joules, modelled_energy_ratio, measured_energy_joules, top1, top5,
/// macro_f1, top1_delta_points, compression_seconds, pareto_size, pareto_latency`.
public struct CSVReport: Sendable {
    /// The comparison to render.
    public var comparison: Comparison

    /// Creates a report.
    public init(comparison: Comparison) {
        self.comparison = comparison
    }

    /// The header fields, in order.
    public var headers: [String] {
        ["variant", "architecture", "is_baseline", "file_bytes", "gzip_bytes", "file_compression_ratio",
         "gzip_compression_ratio", "peak_resident_bytes"]
            + comparison.batchSizes.flatMap { size in
                ["latency_b\(size)_median_seconds", "latency_b\(size)_samples_per_second", "latency_b\(size)_speed_up"]
            }
            + ["modelled_energy_joules", "modelled_energy_ratio", "measured_energy_joules", "top1", "top5", "macro_f1",
               "top1_delta_points", "compression_seconds", "pareto_size", "pareto_latency"]
    }

    /// The CSV text, header first, every record ended by CRLF.
    public func rendered() -> String {
        let sizeFront = comparison.sizeParetoFront
        let latencyFront = comparison.latencyParetoFront
        var lines = [headers.map(Self.field).joined(separator: ",")]
        for row in comparison.rows {
            var fields = [row.variant, row.architecture, row.isBaseline ? "true" : "false", String(row.fileBytes),
                          String(row.gzipBytes), Self.number(row.fileCompressionRatio),
                          Self.number(row.gzipCompressionRatio), row.peakResidentBytes.map(String.init) ?? ""]
            for size in comparison.batchSizes {
                let cell = row.latency(batchSize: size)
                fields += [Self.number(cell?.medianSeconds), Self.number(cell?.samplesPerSecond), Self.number(cell?.speedUp)]
            }
            fields += [Self.number(row.modelledEnergyJoules), Self.number(row.modelledEnergyRatio),
                       Self.number(row.measuredEnergyJoules), Self.number(row.top1), Self.number(row.top5),
                       Self.number(row.macroF1), Self.number(row.top1DeltaPoints), Self.number(row.compressionSeconds),
                       sizeFront.contains(row.variant) ? "true" : "false",
                       latencyFront.contains(row.variant) ? "true" : "false"]
            lines.append(fields.map(Self.field).joined(separator: ","))
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    /// A field quoted per RFC 4180 when it holds a comma, double quote, CR or LF.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number in Swift's shortest round-tripping form, or "" when missing or not finite.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return "\(value)"
    }
}
