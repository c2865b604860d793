import Foundation

/// A comparison as JSON with stable snake_case field names; a missing figure is `null`, never 0.
///
/// ```
/// { "schema_version": 1, "baseline": "...", "batch_size": 1, "batch_sizes": [1, 64],
///   "pareto_size": ["..."], "pareto_latency": ["..."],
///   "rows": [{ "variant", "architecture", "is_baseline", "file_bytes", "gzip_bytes",
///              "file_compression_ratio", "gzip_compression_ratio", "peak_resident_bytes",
///              "latency": [{ "batch_size", "median_seconds", "samples_per_second", "speed_up" }],
///              "modelled_energy_joules", "modelled_energy_ratio", "measured_energy_joules",
///              "top1", "top5", "macro_f1", "top1_delta_points", "compression_seconds" }] }
/// ```
public struct JSONReport: Encodable, Sendable {
    /// The version of this layout; raised when a field is renamed or re-typed.
    public static let schemaVersion = 1

    /// The comparison to render.
    public var comparison: Comparison

    /// Creates a report.
    public init(comparison: Comparison) {
        self.comparison = comparison
    }

    /// Pretty-printed, key-sorted JSON text ending in a newline.
    public func rendered() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case baseline
        case batchSize = "batch_size"
        case batchSizes = "batch_sizes"
        case paretoSize = "pareto_size"
        case paretoLatency = "pareto_latency"
        case rows
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.schemaVersion, forKey: .schemaVersion)
        try container.encode(comparison.baselineVariant, forKey: .baseline)
        try container.encode(comparison.batchSize, forKey: .batchSize)
        try container.encode(comparison.batchSizes, forKey: .batchSizes)
        try container.encode(comparison.sizeParetoFront.variants, forKey: .paretoSize)
        try container.encode(comparison.latencyParetoFront.variants, forKey: .paretoLatency)
        try container.encode(comparison.rows.map(RowJSON.init), forKey: .rows)
    }
}

/// `ComparisonRow` with explicit nulls (synthesized `Encodable` would omit nil fields).
struct RowJSON: Encodable {
    var row: ComparisonRow

    enum CodingKeys: String, CodingKey {
        case variant, architecture
        case isBaseline = "is_baseline"
        case fileBytes = "file_bytes"
        case gzipBytes = "gzip_bytes"
        case fileCompressionRatio = "file_compression_ratio"
        case gzipCompressionRatio = "gzip_compression_ratio"
        case peakResidentBytes = "peak_resident_bytes"
        case latency
        case modelledEnergyJoules = "modelled_energy_joules"
        case modelledEnergyRatio = "modelled_energy_ratio"
        case measuredEnergyJoules = "measured_energy_joules"
        case top1, top5
        case macroF1 = "macro_f1"
        case top1DeltaPoints = "top1_delta_points"
        case compressionSeconds = "compression_seconds"
    }

    enum LatencyKeys: String, CodingKey {
        case batchSize = "batch_size"
        case medianSeconds = "median_seconds"
        case samplesPerSecond = "samples_per_second"
        case speedUp = "speed_up"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(row.variant, forKey: .variant)
        try container.encode(row.architecture, forKey: .architecture)
        try container.encode(row.isBaseline, forKey: .isBaseline)
        try container.encode(row.fileBytes, forKey: .fileBytes)
        try container.encode(row.gzipBytes, forKey: .gzipBytes)
        try container.encode(Self.finite(row.fileCompressionRatio), forKey: .fileCompressionRatio)
        try container.encode(Self.finite(row.gzipCompressionRatio), forKey: .gzipCompressionRatio)
        try container.encode(row.peakResidentBytes, forKey: .peakResidentBytes)
        var latencies = container.nestedUnkeyedContainer(forKey: .latency)
        for cell in row.latencies {
            var entry = latencies.nestedContainer(keyedBy: LatencyKeys.self)
            try entry.encode(cell.batchSize, forKey: .batchSize)
            try entry.encode(Self.finite(cell.medianSeconds), forKey: .medianSeconds)
            try entry.encode(Self.finite(cell.samplesPerSecond), forKey: .samplesPerSecond)
            try entry.encode(Self.finite(cell.speedUp), forKey: .speedUp)
        }
        try container.encode(Self.finite(row.modelledEnergyJoules), forKey: .modelledEnergyJoules)
        try container.encode(Self.finite(row.modelledEnergyRatio), forKey: .modelledEnergyRatio)
        try container.encode(Self.finite(row.measuredEnergyJoules), forKey: .measuredEnergyJoules)
        try container.encode(Self.finite(row.top1), forKey: .top1)
        try container.encode(Self.finite(row.top5), forKey: .top5)
        try container.encode(Self.finite(row.macroF1), forKey: .macroF1)
        try container.encode(Self.finite(row.top1DeltaPoints), forKey: .top1DeltaPoints)
        try container.encode(Self.finite(row.compressionSeconds), forKey: .compressionSeconds)
    }

    /// JSON has no infinity or NaN: those become null.
    static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }
}
