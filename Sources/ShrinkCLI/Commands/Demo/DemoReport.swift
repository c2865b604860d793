import Foundation
import ShrinkFormats
import ShrinkMeasurement
import ShrinkReports
import ShrinkResults

/// `shrink demo`'s report: per model, every variant side by side with the baseline (the demo's
/// summary table with a verdict per technique, then `shrink compare`'s full table and charts),
/// Deep Compression's per-layer table, and the headline figures, all from measured records.
struct DemoReport {
    /// One model's part.
    struct ModelSection {
        var model: String
        var baseline: DemoState.Baseline
        /// The measured records (compression times taken from the compress runs), as `shrink compare` sees them.
        var comparison: Comparison
        /// The summary rows, baseline first.
        var rows: [Row]
        /// How the Deep Compression file stores each tensor (nil when the recipe was not run).
        var deepCompression: InspectionReport?

        init(model: String, baseline: DemoState.Baseline, variants: [DemoRun.Variant], records: [BenchmarkRecord],
             compressions: [String: CompressionRunRecord]) throws {
            self.model = model
            self.baseline = baseline
            let patched = records.map { record in
                var record = record
                if let compression = compressions[record.variant] {
                    record.compression = CompressionFigures(recipe: compression.recipe, steps: compression.steps)
                }
                return record
            }
            comparison = try Comparison(records: patched, baseline: model, batchSize: patched[0].latency.map(\.batchSize).min() ?? 1)
            let comparison = comparison
            rows = zip(variants, comparison.rows).map { variant, row in
                Row(variant: variant, row: row, comparison: comparison,
                    seconds: row.isBaseline ? baseline.trainingSeconds : compressions[variant.name]?.totalSeconds)
            }
            deepCompression = try variants.first { $0.recipe?.name == "deep-compression" }.map {
                InspectionReport(file: ($0.path as NSString).lastPathComponent, inspection: try ModelFile.inspect(path: $0.path))
            }
        }
    }

    /// One variant in the summary table.
    struct Row {
        var variant: String
        var technique: String
        var fileBytes: Int
        var sizeRatio: Double?
        var peakResidentBytes: Int?
        /// (batch size, median seconds, speed-up against the baseline).
        var latencies: [(batchSize: Int, seconds: Double, speedUp: Double?)]
        var error: Double?
        var errorPoints: Double?
        var modelledEnergyJoules: Double
        /// Training seconds for the baseline, compression seconds for a variant.
        var seconds: Double?
        /// Nil for the baseline.
        var verdict: DemoVerdict?

        init(variant: DemoRun.Variant, row: ComparisonRow, comparison: Comparison, seconds: Double?) {
            self.variant = variant.name
            technique = variant.recipe?.name ?? "baseline (fp32)"
            fileBytes = row.fileBytes
            sizeRatio = row.fileCompressionRatio
            peakResidentBytes = row.peakResidentBytes
            latencies = row.latencies.map { ($0.batchSize, $0.medianSeconds, $0.speedUp) }
            error = row.top1.map { 1 - $0 }
            errorPoints = row.top1DeltaPoints.map { -$0 }
            modelledEnergyJoules = row.modelledEnergyJoules
            self.seconds = seconds
            if !row.isBaseline, let sizeRatio, let errorPoints {
                verdict = DemoVerdict.judge(
                    sizeRatio: sizeRatio, speedUps: latencies.compactMap { entry in entry.speedUp.map { (entry.batchSize, $0) } },
                    errorPoints: errorPoints)
            }
        }
    }

    var configuration: DemoConfiguration
    var models: [ModelSection]

    /// The summary table's column titles for `section`.
    func summaryHeaders(_ section: ModelSection) -> [String] {
        ["Variant", "Technique", "File", "× smaller", "Peak memory"]
            + section.comparison.batchSizes.map { "Latency b=\($0)" }
            + ["Top-1 error", "Δ error", "Energy (model)", "Time", "Verdict"]
    }

    /// The summary table's cells for `section` (plain text; "–" marks a figure not measured).
    func summaryCells(_ section: ModelSection) -> [[String]] {
        section.rows.map { row in
            var cells = [row.variant, row.technique, ReportFormatting.bytes(row.fileBytes),
                         row.verdict == nil ? "1" : ReportFormatting.ratio(row.sizeRatio),
                         ReportFormatting.bytes(row.peakResidentBytes)]
            for size in section.comparison.batchSizes {
                let entry = row.latencies.first { $0.batchSize == size }
                let time = ReportFormatting.seconds(entry?.seconds)
                cells.append(row.verdict == nil ? time : time + " (" + ReportFormatting.ratio(entry?.speedUp) + ")")
            }
            cells += [ReportFormatting.percent(row.error),
                      row.verdict == nil ? "0" : ReportFormatting.points(row.errorPoints),
                      ReportFormatting.joules(row.modelledEnergyJoules),
                      row.seconds.map { DemoProgress.duration($0) + (row.verdict == nil ? " (training)" : "") } ?? ReportFormatting.missing,
                      row.verdict.map { $0.kind.rawValue + ": " + $0.reason } ?? "baseline"]
            return cells
        }
    }

    /// Sentences stating the headline figures from the tables: LeNet-300-100's Deep Compression
    /// ratio and error, and int8 against fp32 at batch 1 for every model.
    func headline() -> [String] {
        var lines = [String]()
        for section in models {
            let baseline = section.rows[0]
            if let deep = section.rows.first(where: { $0.technique == "deep-compression" }) {
                lines.append("\(section.model) deep-compression: \(deep.sizeRatio.map { ReportFormatting.significant($0) + "×" } ?? ReportFormatting.missing) smaller than the fp32 file "
                    + "(\(ReportFormatting.bytes(deep.fileBytes)) against \(ReportFormatting.bytes(baseline.fileBytes))) "
                    + "at \(ReportFormatting.percent(deep.error)) test error (baseline \(ReportFormatting.percent(baseline.error))).")
            }
            for technique in ["int8-static", "int8-dynamic"] {
                guard let row = section.rows.first(where: { $0.technique == technique }),
                      let quantized = row.latencies.first(where: { $0.batchSize == 1 }),
                      let float = baseline.latencies.first(where: { $0.batchSize == 1 }), let speedUp = quantized.speedUp else { continue }
                let comparison = speedUp >= 1 ? "faster" : "slower"
                lines.append("\(section.model) \(technique) at batch 1: \(ReportFormatting.seconds(quantized.seconds)) against fp32's "
                    + "\(ReportFormatting.seconds(float.seconds)), \(ReportFormatting.significant(max(speedUp, 1 / speedUp)))× \(comparison).")
            }
        }
        return lines
    }

    /// Per technique, the verdict for each model.
    func techniqueVerdicts() -> [(technique: String, verdicts: [String])] {
        configuration.recipes.map { technique in
            (technique, models.map { section in
                section.rows.first { $0.technique == technique }?.verdict?.sentence ?? ReportFormatting.missing
            })
        }
    }

    var settingsLine: String {
        let machine = models.first?.comparison.records.first?.machine
        return "Settings: \(configuration.name) (baselines \(configuration.trainingEpochs.map { "\($0) epochs" } ?? "default epochs") on "
            + "\(configuration.trainingSampleLimit.map(String.init) ?? "all 60000") training images; fine-tuning and calibration on "
            + "\(configuration.fineTuningSampleLimit.map(String.init) ?? "all") images"
            + (configuration.allImageFineTuningModels.isEmpty ? "" : " (all for \(configuration.allImageFineTuningModels.joined(separator: ", ")))")
            + "; accuracy on "
            + "\(configuration.testSampleLimit.map(String.init) ?? "all 10000") test images; seed \(configuration.seed))"
            + (machine.map { ". Machine: \($0.cpuModel), \($0.logicalCores) logical cores, kernels \($0.kernelPath)" } ?? "") + "."
    }

    static let verdictRule = "Verdicts compare each file with its model's fp32 baseline as measured: smaller means "
        + "≥ \(ReportFormatting.significant(DemoVerdict.smallerRatio))× fewer file bytes, faster/slower a median latency "
        + "ratio beyond \(ReportFormatting.significant(DemoVerdict.fasterRatio))×; worth it = smaller or faster at ≤ "
        + "\(DemoVerdict.acceptableErrorPoints) points more error and not slower; not worth it = neither smaller nor faster, "
        + "or > \(DemoVerdict.unacceptableErrorPoints) points more error; trade-off otherwise."

    /// The Markdown report.
    func markdown() -> String {
        var lines = ["# Shrink demo: to compress or not to compress?", "", settingsLine, "", "## Headline", ""]
        lines += headline().map { "- " + $0 }
        lines += ["", "## Verdict per technique", "", Self.verdictRule, ""]
        lines.append("| Technique | " + models.map { MarkdownReport.escape($0.model) }.joined(separator: " | ") + " |")
        lines.append("|---|" + models.map { _ in "---|" }.joined())
        for entry in techniqueVerdicts() {
            lines.append("| " + MarkdownReport.escape(entry.technique) + " | "
                + entry.verdicts.map(MarkdownReport.escape).joined(separator: " | ") + " |")
        }
        for section in models {
            lines += ["", "## \(section.model)", "", "### Side by side", ""]
            let headers = summaryHeaders(section)
            lines.append("| " + headers.map(MarkdownReport.escape).joined(separator: " | ") + " |")
            lines.append("|" + headers.indices.map { $0 < 2 ? " :--- |" : $0 == headers.count - 1 ? " :--- |" : " ---: |" }.joined())
            for row in summaryCells(section) {
                lines.append("| " + row.map(MarkdownReport.escape).joined(separator: " | ") + " |")
            }
            lines += ["", "### Every measured figure (`shrink compare`)", "", MarkdownReport(comparison: section.comparison).rendered()]
            if let deep = section.deepCompression {
                lines += ["### Deep Compression, per layer (`shrink inspect`)", ""]
                lines += Self.layerTableMarkdown(deep)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Deep Compression's table 2/3 layout: per tensor its encoding, density, bits and bytes.
    static func layerTableMarkdown(_ report: InspectionReport) -> [String] {
        var lines = ["| Tensor | Shape | Encoding | Weights | Density | Weight bits | Index bits | Bytes (P+Q) | Bytes (P+Q+H) | × vs fp32 |",
                     "| :--- | :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for row in layerRows(report) { lines.append("| " + row.map(MarkdownReport.escape).joined(separator: " | ") + " |") }
        lines += ["", "File \(report.fileBytes) bytes against \(report.float32Bytes) bytes of fp32 weights: "
            + "\(ReportFormatting.ratio(report.compressionRatio)) for the whole file (manifest included).", ""]
        return lines
    }

    static func layerRows(_ report: InspectionReport) -> [[String]] {
        report.tensors.map { tensor in
            [tensor.name, tensor.shape.map(String.init).joined(separator: "×"), tensor.encoding, "\(tensor.weights)",
             ReportFormatting.percent(tensor.density), "\(tensor.weightBits)", tensor.indexBits == 0 ? "–" : "\(tensor.indexBits)",
             "\(tensor.bytesBeforeHuffman)", "\(tensor.bytesAfterHuffman)", ReportFormatting.ratio(tensor.ratioVersusFloat32)]
        } + [["total", "", "", "\(report.totalWeights)", ReportFormatting.percent(report.totalDensity), "", "",
              "\(report.totalBytesBeforeHuffman)", "\(report.totalBytesAfterHuffman)",
              ReportFormatting.ratio(report.totalBytesAfterHuffman == 0 ? nil : Double(report.float32Bytes) / Double(report.totalBytesAfterHuffman))]]
    }

    /// The HTML report: the same tables, and each model's `shrink compare` charts.
    func html() -> String {
        var body = ["<h1>Shrink demo: to compress or not to compress?</h1>", "<p class=\"note\">\(escapeHTML(settingsLine))</p>",
                    "<h2>Headline</h2>", "<ul>" + headline().map { "<li>\(escapeHTML($0))</li>" }.joined() + "</ul>",
                    "<h2>Verdict per technique</h2>", "<p class=\"note\">\(escapeHTML(Self.verdictRule))</p>"]
        body.append(Self.htmlTable(headers: ["Technique"] + models.map(\.model),
                                   rows: techniqueVerdicts().map { [$0.technique] + $0.verdicts }, wrapping: true))
        for section in models {
            body.append("<h2>\(escapeHTML(section.model)): side by side</h2>")
            body.append(Self.htmlTable(headers: summaryHeaders(section), rows: summaryCells(section), wrapping: false))
            if let deep = section.deepCompression {
                body.append("<h2>\(escapeHTML(section.model)): Deep Compression per layer</h2>")
                body.append(Self.htmlTable(
                    headers: ["Tensor", "Shape", "Encoding", "Weights", "Density", "Weight bits", "Index bits", "Bytes (P+Q)",
                              "Bytes (P+Q+H)", "× vs fp32"],
                    rows: Self.layerRows(deep), wrapping: false))
                body.append("<p class=\"note\">File \(deep.fileBytes) bytes against \(deep.float32Bytes) bytes of fp32 weights: "
                    + "\(escapeHTML(ReportFormatting.ratio(deep.compressionRatio))) for the whole file.</p>")
            }
            body.append(HTMLReport(comparison: section.comparison, title: "\(section.model): every measured figure").renderedBody())
        }
        return HTMLReport.page(title: "Shrink demo", body: body.joined(separator: "\n"))
    }

    static func htmlTable(headers: [String], rows: [[String]], wrapping: Bool) -> String {
        var html = "<div class=\"table-box\"><table>\n<thead><tr>" + headers.map { "<th>\(escapeHTML($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr>" + row.enumerated().map { index, cell in
                index == 0 ? "<th scope=\"row\">\(escapeHTML(cell))</th>"
                    : wrapping ? "<td class=\"pareto\">\(escapeHTML(cell))</td>" : "<td>\(escapeHTML(cell))</td>"
            }.joined() + "</tr>\n"
        }
        return html + "</tbody></table></div>"
    }
}
