import Foundation
import ShrinkReports

extension SensitivityReport {
    /// The tables for people: per technique, one row per layer and one column per setting, each
    /// cell the top-1 accuracy of the written file; the last column is the most a layer tolerates
    /// within `maximumDrop` of the baseline (0.01 = one point).
    public func textTables(maximumDrop: Double = 0.01) -> String {
        var lines = ["Sensitivity of \(model) (\(samples) test samples; baseline top-1 \(Self.percent(baselineTop1)), "
            + "\(ReportFormatting.bytes(baselineFileBytes)))",
                     "Each layer compressed alone, no retraining; accuracy of the written file run by the runtime."]
        for technique in configuration.techniques {
            let settings = configuration.settings(for: technique)
            let heading = ["layer"] + settings.map { technique.label($0) } + ["tolerated (≤ \(Self.points(maximumDrop)) pt drop)"]
            var rows = [heading]
            for layer in layers {
                let measured = points(layer: layer.name, technique: technique)
                // Layers whose units cannot be removed (the final classifier) have no structured points.
                guard !measured.isEmpty else {
                    rows.append([layer.name] + settings.map { _ in "–" } + ["(cannot lose units)"])
                    continue
                }
                let accuracies = settings.map { setting in measured.first { $0.setting == setting }.map { Self.percent($0.top1) } ?? "–" }
                let tolerated = tolerated(layer: layer.name, technique: technique, maximumDrop: maximumDrop)
                rows.append([layer.name] + accuracies + [tolerated.map { technique.label($0) } ?? "none"])
            }
            lines += ["", Self.title(of: technique) + ":"] + Self.aligned(rows)
        }
        return lines.joined(separator: "\n")
    }

    /// A self-contained HTML page: one line chart per technique (a line per layer, the baseline
    /// dashed) and the tables.
    public func html() -> String {
        var body = "<h1>Sensitivity of \(escapeHTML(model))</h1>\n<p>Each layer compressed alone with no retraining, "
            + "written as a model file and run by the runtime on \(samples) test samples. Baseline top-1 "
            + "\(Self.percent(baselineTop1)).</p>\n"
        for technique in configuration.techniques {
            let chart = LineChart(
                title: Self.title(of: technique), identifier: "sensitivity-\(technique.rawValue)",
                xLabel: Self.axisLabel(of: technique),
                formatX: { technique.label($0) },
                series: layers.filter { !points(layer: $0.name, technique: technique).isEmpty }.map { layer in
                    LineChart.Series(name: layer.name, points: points(layer: layer.name, technique: technique).map {
                        (x: $0.setting, accuracy: $0.top1)
                    })
                },
                reference: (label: "baseline", accuracy: baselineTop1))
            body += "<section>\n" + (chart.rendered() ?? "") + "\n</section>\n"
        }
        body += "<pre>\(escapeHTML(textTables()))</pre>\n"
        return HTMLReport.page(title: "Sensitivity of \(model)", body: body)
    }

    /// JSON for programs (stable field names, sorted keys).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func axisLabel(of technique: SensitivityTechnique) -> String {
        switch technique {
        case .pruning: "Sparsity of the layer"
        case .structuredPruning: "Fraction of the layer's units removed"
        case .quantization, .clustering: "Bits"
        }
    }

    static func title(of technique: SensitivityTechnique) -> String {
        switch technique {
        case .pruning: "Magnitude pruning of one layer"
        case .structuredPruning: "Structured pruning of one layer (output units or filters with the smallest L1 norms removed)"
        case .quantization: "Linear weight quantization of one layer (signed symmetric, per channel)"
        case .clustering: "k-means weight sharing of one layer"
        }
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.2f %%", fraction * 100) }

    static func points(_ fraction: Double) -> String { String(format: "%g", fraction * 100) }

    /// Columns padded to their widest cell, the first left-aligned, the rest right-aligned.
    static func aligned(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.enumerated().flatMap { index, row -> [String] in
            let line = row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
            return index == 0 ? [line, String(repeating: "-", count: line.count)] : [line]
        }
    }
}
