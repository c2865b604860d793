import ArgumentParser
import Foundation
import ShrinkResults
import ShrinkReports

/// `shrink results list`: one line per recorded run, newest first.
struct ResultsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List recorded runs, newest first.")

    @OptionGroup var location: ResultsDatabaseLocation

    @Option(help: "Only runs of this kind: bench or compress.")
    var kind: RunKind?

    @Option(help: "Only variants whose name contains this text (case-insensitive).")
    var variant: String?

    @Option(help: "Only runs of this architecture, e.g. lenet-300-100.")
    var architecture: String?

    @Option(help: "At most this many runs.")
    var limit: Int?

    @Flag(help: "Print the runs as JSON instead of a table.")
    var json = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit).") }
    }

    func run() throws {
        let store = try location.open()
        let runs = try store.runs(filter: RunFilter(kind: kind, variantContaining: variant, architecture: architecture, limit: limit))
        if json {
            try printJSON(runs.map(ListedRun.init))
            return
        }
        print(Self.render(runs))
        if let searches = Self.tuningLine(try store.tuningSearches()) { print(searches) }
    }

    /// "Tuning: 91 evaluations of 1 search (lenet-300-100: 91)", or nil when there are none.
    static func tuningLine(_ searches: [(searchKey: String, model: String, searchJSON: String, evaluations: Int)]) -> String? {
        guard !searches.isEmpty else { return nil }
        let total = searches.map(\.evaluations).reduce(0, +)
        let each = searches.map { "\($0.model) \($0.searchKey.prefix(8)): \($0.evaluations)" }.joined(separator: ", ")
        return "Tuning: \(total) candidate evaluation\(total == 1 ? "" : "s") of \(searches.count) search\(searches.count == 1 ? "" : "es") "
            + "(\(each)); shrink tune with the same settings and --database reuses them"
    }

    /// The table people read.
    static func render(_ runs: [RunSummary]) -> String {
        guard !runs.isEmpty else { return "No runs recorded." }
        var table = TextTable([
            ("id", .left), ("kind", .left), ("recorded", .left), ("variant", .left), ("architecture", .left),
            ("size", .right), ("top-1", .right), ("latency b1", .right), ("compress", .right), ("host", .left),
            ("shard", .left),
        ])
        for run in runs {
            table.append([
                run.id.short, run.kind.rawValue, run.recordedAt, run.variant, run.architecture,
                run.fileBytes.map(ReportFormatting.bytes) ?? "-", run.top1.map(percent) ?? "-",
                run.batch1MedianSeconds.map(formatSeconds) ?? "-",
                run.compressionSeconds.map { String(format: "%.1f s", $0) } ?? "-", run.hostName, run.shard ?? "-",
            ])
        }
        return withoutTrailingSpaces(table.rendered()) + "\n\(runs.count) run\(runs.count == 1 ? "" : "s")"
    }
}

extension RunKind: ExpressibleByArgument {}

/// One run of `shrink results list --json`: stable snake_case names.
struct ListedRun: Encodable {
    var id: String
    var kind: String
    var recordedAt: String
    var variant: String
    var architecture: String
    var modelPath: String
    var hostName: String
    var shard: String?
    var recipe: String?
    var fileBytes: Int?
    var top1: Double?
    var batch1MedianSeconds: Double?
    var compressionSeconds: Double?

    init(_ run: RunSummary) {
        id = run.id.rawValue
        kind = run.kind.rawValue
        recordedAt = run.recordedAt
        variant = run.variant
        architecture = run.architecture
        modelPath = run.modelPath
        hostName = run.hostName
        shard = run.shard
        recipe = run.recipe
        fileBytes = run.fileBytes
        top1 = run.top1
        batch1MedianSeconds = run.batch1MedianSeconds
        compressionSeconds = run.compressionSeconds
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, variant, architecture, shard, recipe, top1
        case recordedAt = "recorded_at"
        case modelPath = "model_path"
        case hostName = "host_name"
        case fileBytes = "file_bytes"
        case batch1MedianSeconds = "batch1_median_seconds"
        case compressionSeconds = "compression_seconds"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(recordedAt, forKey: .recordedAt)
        try container.encode(variant, forKey: .variant)
        try container.encode(architecture, forKey: .architecture)
        try container.encode(modelPath, forKey: .modelPath)
        try container.encode(hostName, forKey: .hostName)
        try container.encode(shard, forKey: .shard)
        try container.encode(recipe, forKey: .recipe)
        try container.encode(fileBytes, forKey: .fileBytes)
        try container.encode(top1, forKey: .top1)
        try container.encode(batch1MedianSeconds, forKey: .batch1MedianSeconds)
        try container.encode(compressionSeconds, forKey: .compressionSeconds)
    }
}

/// The text with each line's trailing spaces removed (a left-aligned last column pads them).
func withoutTrailingSpaces(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { line in String(line.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
}

/// Seconds with a readable unit: "2.00 µs", "1.50 ms", "3.20 s".
func formatSeconds(_ seconds: Double) -> String {
    if seconds < 1e-3 { return String(format: "%.2f µs", seconds * 1e6) }
    if seconds < 1 { return String(format: "%.2f ms", seconds * 1e3) }
    return String(format: "%.2f s", seconds)
}
