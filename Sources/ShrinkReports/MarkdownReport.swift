/// A comparison as a GitHub-flavoured Markdown table, followed by the two Pareto fronts.
///
/// Columns: Variant, Size (with ×compression vs baseline), gzip (×), Peak memory, one
/// "Latency b=N" column per measured batch size (median per batch, ×speed-up), Throughput at the
/// chart batch size, Energy (modelled, ×ratio), Energy (RAPL), Top-1, Δ top-1, Top-5, Macro F1,
/// Compression time. Missing figures are "–".
public struct MarkdownReport: Sendable {
    /// The comparison to render.
    public var comparison: Comparison

    /// Creates a report.
    public init(comparison: Comparison) {
        self.comparison = comparison
    }

    /// The table's column titles, in order.
    public var headers: [String] {
        ["Variant", "Size", "gzip", "Peak memory"]
            + comparison.batchSizes.map { "Latency b=\($0)" }
            + ["Throughput b=\(comparison.batchSize)", "Energy (model)", "Energy (RAPL)", "Top-1", "Δ top-1",
               "Top-5", "Macro F1", "Compression time"]
    }

    /// The table's cells as plain (unescaped) text, one array per row.
    public var cells: [[String]] {
        comparison.rows.map { row in
            let name = row.isBaseline ? row.variant + " (baseline)" : row.variant
            var cells = [name,
                         Self.withRatio(ReportFormatting.bytes(row.fileBytes), row.fileCompressionRatio, row.isBaseline),
                         Self.withRatio(ReportFormatting.bytes(row.gzipBytes), row.gzipCompressionRatio, row.isBaseline),
                         ReportFormatting.bytes(row.peakResidentBytes)]
            for size in comparison.batchSizes {
                let cell = row.latency(batchSize: size)
                cells.append(Self.withRatio(ReportFormatting.seconds(cell?.medianSeconds), cell?.speedUp, row.isBaseline))
            }
            cells += [ReportFormatting.throughput(row.latency(batchSize: comparison.batchSize)?.samplesPerSecond),
                      Self.withRatio(ReportFormatting.joules(row.modelledEnergyJoules), row.modelledEnergyRatio, row.isBaseline),
                      ReportFormatting.joules(row.measuredEnergyJoules),
                      ReportFormatting.percent(row.top1),
                      row.isBaseline ? ReportFormatting.missing : ReportFormatting.points(row.top1DeltaPoints),
                      ReportFormatting.percent(row.top5),
                      ReportFormatting.percent(row.macroF1),
                      ReportFormatting.seconds(row.compressionSeconds)]
            return cells
        }
    }

    /// The Markdown text.
    public func rendered() -> String {
        let headers = headers
        var lines = ["| " + headers.map(Self.escape).joined(separator: " | ") + " |",
                     "|" + headers.indices.map { $0 == 0 ? " :--- |" : " ---: |" }.joined()]
        for row in cells {
            lines.append("| " + row.map(Self.escape).joined(separator: " | ") + " |")
        }
        lines.append("")
        lines.append("Ratios are against the baseline \(Self.escape(comparison.baselineVariant)) "
            + "(×: baseline ÷ variant, above 1 is better); latency is the median per batch.")
        lines.append("")
        lines.append("Pareto front, top-1 vs size: " + Self.frontText(comparison.sizeParetoFront))
        lines.append("")
        lines.append("Pareto front, top-1 vs latency (b=\(comparison.batchSize)): "
            + Self.frontText(comparison.latencyParetoFront))
        return lines.joined(separator: "\n") + "\n"
    }

    static func withRatio(_ value: String, _ ratio: Double?, _ isBaseline: Bool) -> String {
        guard !isBaseline, let ratio, value != ReportFormatting.missing else { return value }
        return value + " (" + ReportFormatting.ratio(ratio) + ")"
    }

    static func frontText(_ front: ParetoFront) -> String {
        front.points.isEmpty ? ReportFormatting.missing : front.variants.map(escape).joined(separator: ", ")
    }

    /// Escapes text for a Markdown table cell: backslash-escapes the characters Markdown or HTML
    /// would interpret (`\ | < > * _ [ ] `` ` ``) and turns line breaks into spaces.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\", "|", "<", ">", "*", "_", "[", "]", "`", "&": escaped += "\\" + String(character)
            case "\n", "\r", "\r\n": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
