import ShrinkMeasurement

/// A comparison as one self-contained HTML file: inline CSS and inline SVG, no scripts and no
/// external URLs, so it can be mailed or archived as is. Every piece of text from the records
/// (variant names above all) is HTML-escaped.
///
/// Sections: the comparison table; accuracy vs file size (log x); accuracy vs latency at the
/// chosen batch size (log x), each with its Pareto front as a dashed line through ringed points;
/// per-layer density and bits bars for each variant; per-operator time as stacked bars.
public struct HTMLReport: Sendable {
    /// The comparison to render.
    public var comparison: Comparison
    /// The page's title.
    public var title: String

    /// Creates a report.
    public init(comparison: Comparison, title: String = "Shrink comparison") {
        self.comparison = comparison
        self.title = title
    }

    /// The `data-chart` identifiers of the charts the page holds, in page order (`layers` once
    /// per variant with per-layer figures).
    public static let chartIdentifiers = ["accuracy-vs-size", "accuracy-vs-latency", "layers", "operators"]

    /// The HTML text.
    public func rendered() -> String {
        Self.page(title: title, body: renderedBody())
    }

    /// The report's sections without the page around them (a heading with the title first), for
    /// pages that hold several comparisons, such as `shrink demo`'s report.
    public func renderedBody() -> String {
        var body: [String] = []
        body.append("<h1>\(escapeHTML(title))</h1>")
        body.append(summary())
        body.append("<h2>Comparison</h2>")
        body.append(table())
        body.append("<p class=\"note\">Ratios (×) are baseline ÷ variant, so above 1 is better: smaller file, "
            + "faster, less energy. Latency is the median per batch of the given size; Δ top-1 is in percentage points. "
            + "– marks a figure that was not measured.</p>")
        body.append("<h2>Accuracy vs size</h2>")
        body.append(sizeChart() ?? Self.noData("No variant has both an accuracy and a size."))
        body.append("<h2>Accuracy vs latency (batch \(comparison.batchSize))</h2>")
        body.append(latencyChart() ?? Self.noData("No variant has both an accuracy and a latency at batch \(comparison.batchSize)."))
        body.append("<h2>Per-layer density and bits</h2>")
        for (index, record) in comparison.records.enumerated() {
            let chart = LayerBarsChart(variant: record.variant, colorIndex: index, layers: record.layers).rendered()
            body.append("<div class=\"chart-box\">" + (chart ?? Self.noData("\(escapeHTML(record.variant)): no per-layer figures.")) + "</div>")
        }
        body.append("<h2>Time per operator kind</h2>")
        let operators = OperatorBreakdownChart(bars: comparison.records.map { .init(variant: $0.variant, operators: $0.operators) })
        body.append(operators.rendered().map { "<div class=\"chart-box\">\($0)</div>" } ?? Self.noData("No record has an operator profile."))
        return body.joined(separator: "\n")
    }

    /// A self-contained page (the report's style sheet, no scripts) around `body`.
    public static func page(title: String, body: String) -> String {
        """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escapeHTML(title))</title>
            <style>
            \(styleSheet)
            </style>
            </head>
            <body>
            \(body)
            </body>
            </html>

            """
    }

    func summary() -> String {
        let baseline = comparison.records.first { $0.variant == comparison.baselineVariant }!
        let machines = Set(comparison.records.map { "\($0.machine.cpuModel), \($0.machine.kernelPath)" }).sorted()
        let datasets = Set(comparison.records.map { "\($0.settings.dataset) (\($0.settings.testSamples) test samples)" }).sorted()
        let dates = comparison.records.map(\.recordedAt).sorted()
        let items = [
            ("Baseline", comparison.baselineVariant + " (" + baseline.architecture + ")"),
            ("Variants", String(comparison.records.count)),
            ("Machine", machines.joined(separator: "; ")),
            ("Dataset", datasets.joined(separator: "; ")),
            ("Recorded", dates.first == dates.last ? dates.first ?? "" : "\(dates.first ?? "") – \(dates.last ?? "")"),
        ]
        return "<dl class=\"summary\">" + items.map { "<dt>\(escapeHTML($0.0))</dt><dd>\(escapeHTML($0.1))</dd>" }.joined()
            + "</dl>"
    }

    func table() -> String {
        let markdown = MarkdownReport(comparison: comparison)
        let sizeFront = comparison.sizeParetoFront
        let latencyFront = comparison.latencyParetoFront
        var html = "<div class=\"table-box\"><table>\n<thead><tr>"
        html += markdown.headers.map { "<th>\(escapeHTML($0))</th>" }.joined() + "<th>Pareto</th></tr></thead>\n<tbody>\n"
        for (row, cells) in zip(comparison.rows, markdown.cells) {
            html += row.isBaseline ? "<tr class=\"baseline\">" : "<tr>"
            for (column, cell) in cells.enumerated() {
                html += column == 0 ? "<th scope=\"row\">\(escapeHTML(cell))</th>" : "<td>\(Self.cellHTML(cell))</td>"
            }
            let fronts = [sizeFront.contains(row.variant) ? "size" : nil,
                          latencyFront.contains(row.variant) ? "latency" : nil].compactMap { $0 }
            html += "<td class=\"pareto\">\(fronts.isEmpty ? ReportFormatting.missing : fronts.joined(separator: ", "))</td></tr>\n"
        }
        return html + "</tbody></table></div>"
    }

    func sizeChart() -> String? {
        let points = comparison.rows.enumerated().compactMap { index, row -> ScatterChart.Point? in
            row.top1.map { .init(variant: row.variant, colorIndex: index, cost: Double(row.fileBytes), accuracy: $0,
                                 isBaseline: row.isBaseline) }
        }
        let chart = ScatterChart(title: "Top-1 accuracy vs file size", identifier: "accuracy-vs-size",
                                 costLabel: "File size", formatCost: { ReportFormatting.bytes(Int($0.rounded())) },
                                 points: points, front: comparison.sizeParetoFront)
        return chart.rendered().map { "<div class=\"chart-box\">\($0)</div>" }
    }

    func latencyChart() -> String? {
        let batchSize = comparison.batchSize
        let points = comparison.rows.enumerated().compactMap { index, row -> ScatterChart.Point? in
            guard let top1 = row.top1, let latency = row.latency(batchSize: batchSize) else { return nil }
            return .init(variant: row.variant, colorIndex: index, cost: latency.medianSeconds, accuracy: top1,
                         isBaseline: row.isBaseline)
        }
        let chart = ScatterChart(title: "Top-1 accuracy vs median latency at batch \(batchSize)",
                                 identifier: "accuracy-vs-latency", costLabel: "Median latency per batch of \(batchSize)",
                                 formatCost: { ReportFormatting.seconds($0) }, points: points,
                                 front: comparison.latencyParetoFront)
        return chart.rendered().map { "<div class=\"chart-box\">\($0)</div>" }
    }

    /// A table cell; a trailing ratio such as " (×3.97)" goes on its own line so columns stay narrow.
    static func cellHTML(_ text: String) -> String {
        guard text.hasSuffix(")"), let open = text.range(of: " (×", options: .backwards) else { return escapeHTML(text) }
        let ratio = text[text.index(after: open.lowerBound)...].dropFirst().dropLast()
        return escapeHTML(String(text[..<open.lowerBound])) + "<br><span class=\"ratio\">" + escapeHTML(String(ratio)) + "</span>"
    }

    static func noData(_ message: String) -> String {
        "<p class=\"no-data\">\(escapeHTML(message))</p>"
    }

    static let styleSheet = """
        body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #222; margin: 24px auto;
               max-width: 1160px; padding: 0 16px; line-height: 1.4; }
        h1 { font-size: 26px; margin-bottom: 8px; }
        h2 { font-size: 20px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        dl.summary { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; font-size: 14px; }
        dl.summary dt { font-weight: bold; }
        dl.summary dd { margin: 0; }
        .table-box { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 12.5px; }
        th, td { border: 1px solid #ddd; padding: 3px 6px; white-space: nowrap; }
        td.pareto { white-space: normal; text-align: left; }
        thead th { background: #f0f0f0; text-align: center; vertical-align: bottom; white-space: normal; }
        td { text-align: right; font-variant-numeric: tabular-nums; }
        tbody th { text-align: left; font-weight: normal; }
        tr.baseline { background: #f5f8fc; }
        tr.baseline th { font-weight: bold; }
        .note { font-size: 13px; color: #555; }
        .ratio { color: #555; font-size: 11.5px; }
        .chart-box { margin: 12px 0; }
        svg.chart { max-width: 100%; height: auto; font-family: "DejaVu Sans", Arial, sans-serif; }
        .no-data { color: #888; font-style: italic; }
        """
}
