import ShrinkMeasurement

/// Benchmark records side by side, with every figure also expressed against a baseline variant:
/// the model behind all of `shrink compare`'s renderers.
///
/// Ratios are "times better than the baseline", so above 1 is always an improvement:
/// compression ratio = baseline bytes ÷ variant bytes, speed-up = baseline latency ÷ variant
/// latency, energy ratio = baseline energy ÷ variant energy. A ratio is nil when either side is
/// missing or not positive. The top-1 delta is (variant − baseline) × 100, in percentage points.
public struct Comparison: Sendable {
    /// The records, in input order (one per variant).
    public var records: [BenchmarkRecord]
    /// The variant every ratio is taken against.
    public var baselineVariant: String
    /// The batch size of the accuracy-versus-latency chart and its Pareto front.
    public var batchSize: Int
    /// Every batch size some record measured, ascending: one latency column each.
    public var batchSizes: [Int]
    /// One row per record, in input order.
    public var rows: [ComparisonRow]

    /// Compares `records` against the one named `baseline` (the first record when nil).
    ///
    /// Throws when there are no records, two records share a variant name, the baseline is not
    /// among the variants, or no record measured `batchSize`.
    public init(records: [BenchmarkRecord], baseline: String? = nil, batchSize: Int = 1) throws(ComparisonError) {
        guard let first = records.first else { throw .noRecords }
        var seen = Set<String>()
        for record in records where !seen.insert(record.variant).inserted {
            throw .duplicateVariant(record.variant)
        }
        let baselineName = baseline ?? first.variant
        guard let baselineRecord = records.first(where: { $0.variant == baselineName }) else {
            throw .unknownBaseline(baselineName, available: records.map(\.variant))
        }
        let measured = Set(records.flatMap { $0.latency.map(\.batchSize) })
        guard batchSize > 0, measured.contains(batchSize) || measured.isEmpty else {
            throw .unmeasuredBatchSize(batchSize, available: measured.sorted())
        }
        self.records = records
        baselineVariant = baselineName
        self.batchSize = batchSize
        batchSizes = measured.sorted()
        rows = records.map { ComparisonRow(record: $0, baseline: baselineRecord, batchSizes: measured.sorted()) }
    }

    /// The baseline's row.
    public var baselineRow: ComparisonRow {
        rows.first { $0.isBaseline }!
    }

    /// The non-dominated variants for (maximize top-1, minimize file bytes).
    public var sizeParetoFront: ParetoFront {
        ParetoFront(points: rows.compactMap { row in
            row.top1.map { ParetoPoint(variant: row.variant, accuracy: $0, cost: Double(row.fileBytes)) }
        })
    }

    /// The non-dominated variants for (maximize top-1, minimize median latency at `batchSize`).
    public var latencyParetoFront: ParetoFront {
        ParetoFront(points: rows.compactMap { row in
            guard let top1 = row.top1, let latency = row.latency(batchSize: batchSize) else { return nil }
            return ParetoPoint(variant: row.variant, accuracy: top1, cost: latency.medianSeconds)
        })
    }
}

/// Why records cannot be compared.
public enum ComparisonError: Error, Equatable, CustomStringConvertible {
    /// No records were given.
    case noRecords
    /// Two records have the same variant name.
    case duplicateVariant(String)
    /// The baseline names no record's variant.
    case unknownBaseline(String, available: [String])
    /// No record measured the chosen batch size.
    case unmeasuredBatchSize(Int, available: [Int])

    public var description: String {
        switch self {
        case .noRecords:
            return "No benchmark records to compare."
        case .duplicateVariant(let name):
            return "Two records have the variant name '\(name)'; variant names must be unique."
        case .unknownBaseline(let name, let available):
            return "Unknown baseline '\(name)'; the variants are: \(available.joined(separator: ", "))."
        case .unmeasuredBatchSize(let size, let available):
            return "No record measured batch size \(size); measured: \(available.map(String.init).joined(separator: ", "))."
        }
    }
}

/// One variant's figures and its ratios against the baseline. Optional figures are nil when not
/// measured; renderers show them as "–" (text) or null (JSON), never as 0.
public struct ComparisonRow: Equatable, Sendable {
    /// The variant's name.
    public var variant: String
    /// The architecture's name.
    public var architecture: String
    /// Whether this is the baseline.
    public var isBaseline: Bool
    /// The file's bytes on disk.
    public var fileBytes: Int
    /// The file's bytes after gzip -9.
    public var gzipBytes: Int
    /// Baseline file bytes ÷ this file's bytes.
    public var fileCompressionRatio: Double?
    /// Baseline gzip bytes ÷ this file's gzip bytes.
    public var gzipCompressionRatio: Double?
    /// Peak resident set of the isolated measuring process, in bytes.
    public var peakResidentBytes: Int?
    /// Latency per batch size, one entry per `Comparison.batchSizes` element that this record
    /// measured, ascending.
    public var latencies: [LatencyCell]
    /// Modelled energy per single-sample inference, in joules.
    public var modelledEnergyJoules: Double
    /// Baseline modelled energy ÷ this variant's.
    public var modelledEnergyRatio: Double?
    /// RAPL-measured energy per single-sample inference, in joules.
    public var measuredEnergyJoules: Double?
    /// Top-1 accuracy as a fraction.
    public var top1: Double?
    /// Top-5 accuracy as a fraction.
    public var top5: Double?
    /// Macro-averaged F1 as a fraction.
    public var macroF1: Double?
    /// (top-1 − baseline top-1) × 100: percentage points.
    public var top1DeltaPoints: Double?
    /// Wall-clock seconds of the compression pipeline (nil for an uncompressed model).
    public var compressionSeconds: Double?

    /// The latency entry at `batchSize`, if measured.
    public func latency(batchSize: Int) -> LatencyCell? {
        latencies.first { $0.batchSize == batchSize }
    }

    init(record: BenchmarkRecord, baseline: BenchmarkRecord, batchSizes: [Int]) {
        variant = record.variant
        architecture = record.architecture
        isBaseline = record.variant == baseline.variant
        fileBytes = record.size.fileBytes
        gzipBytes = record.size.gzipBytes
        fileCompressionRatio = Self.ratio(Double(baseline.size.fileBytes), over: Double(record.size.fileBytes))
        gzipCompressionRatio = Self.ratio(Double(baseline.size.gzipBytes), over: Double(record.size.gzipBytes))
        peakResidentBytes = record.memory.peakResidentBytes
        latencies = batchSizes.compactMap { size in
            guard let entry = record.latency(batchSize: size) else { return nil }
            let baselineMedian = baseline.latency(batchSize: size)?.latency.medianSeconds
            return LatencyCell(batchSize: size, medianSeconds: entry.latency.medianSeconds,
                               samplesPerSecond: entry.samplesPerSecond.isFinite ? entry.samplesPerSecond : nil,
                               speedUp: baselineMedian.flatMap { Self.ratio($0, over: entry.latency.medianSeconds) })
        }
        modelledEnergyJoules = record.energy.modelled.totalJoules
        modelledEnergyRatio = Self.ratio(baseline.energy.modelled.totalJoules, over: record.energy.modelled.totalJoules)
        measuredEnergyJoules = record.energy.measuredJoules
        top1 = record.accuracy?.top1
        top5 = record.accuracy?.top5
        macroF1 = record.accuracy?.classification.macroAverage.f1
        if let top1 = record.accuracy?.top1, let baselineTop1 = baseline.accuracy?.top1 {
            top1DeltaPoints = (top1 - baselineTop1) * 100
        }
        compressionSeconds = record.compression?.totalSeconds
    }

    /// `numerator ÷ denominator` when both are positive and finite, else nil.
    static func ratio(_ numerator: Double, over denominator: Double) -> Double? {
        guard numerator > 0, denominator > 0, numerator.isFinite, denominator.isFinite else { return nil }
        return numerator / denominator
    }
}

/// One variant's latency at one batch size.
public struct LatencyCell: Equatable, Sendable {
    /// Samples per run.
    public var batchSize: Int
    /// Median seconds per run (per batch).
    public var medianSeconds: Double
    /// Samples per second at the median (nil when the median is 0).
    public var samplesPerSecond: Double?
    /// Baseline median ÷ this median at the same batch size (nil when the baseline did not
    /// measure it).
    public var speedUp: Double?
}
