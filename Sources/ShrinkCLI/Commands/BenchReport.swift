import Foundation
import ShrinkMeasurement
import ShrinkReports

/// The text form of `shrink bench`'s records: a summary row per variant, latency per batch size,
/// and the per-operator shares.
struct BenchReport {
    var records: [BenchmarkRecord]

    func rendered() -> String {
        var summary = TextTable([
            ("variant", .left), ("size", .right), ("gzip", .right), ("params / non-zero", .right), ("load", .right),
            ("peak RSS", .right), ("model RSS", .right), ("allocs/inf", .right), ("top-1", .right), ("top-5", .right), ("macro F1", .right),
            ("energy modelled", .right), ("energy measured", .right), ("compression", .right),
        ])
        var latency = TextTable([
            ("variant", .left), ("batch", .right), ("median", .right), ("[p5 – p95]", .right), ("runs", .right),
            ("±95 % / median", .right), ("samples/s", .right), ("cycles (est.)", .right),
        ])
        var operators = TextTable([("variant", .left), ("operator", .left), ("calls/run", .right), ("time/run", .right), ("share", .right)])
        var kernels = TextTable([("variant", .left), ("weight", .left), ("stored as", .left), ("kernel run", .left)])
        var secondForms = [String]()
        for record in records {
            summary.append([
                record.variant, ReportFormatting.bytes(record.size.fileBytes), ReportFormatting.bytes(record.size.gzipBytes),
                "\(record.size.parameters) / \(record.size.nonZeroParameters)",
                Self.seconds(record.loadSeconds),
                record.memory.peakResidentBytes.map(ReportFormatting.bytes) ?? "-",
                record.memory.modelResidentBytes.map(ReportFormatting.bytes) ?? "-",
                record.memory.allocationsPerInference.map(String.init) ?? "-",
                record.accuracy.map { percent($0.top1) } ?? "-",
                record.accuracy.map { percent($0.top5) } ?? "-",
                record.accuracy.map { String(format: "%.4f", $0.classification.macroAverage.f1) } ?? "-",
                Self.joules(record.energy.modelled.totalJoules),
                record.energy.measuredJoules.map(Self.joules) ?? "n/a",
                record.compression.map { Self.seconds($0.totalSeconds) } ?? "-",
            ])
            for entry in record.latency {
                let summary = entry.latency
                latency.append([
                    record.variant, "\(entry.batchSize)", Self.seconds(summary.medianSeconds),
                    "[\(Self.seconds(summary.p5Seconds)) – \(Self.seconds(summary.p95Seconds))]", "\(summary.runs)",
                    summary.relativeHalfWidth.isFinite ? percent(summary.relativeHalfWidth) : "-",
                    String(format: "%.0f", entry.samplesPerSecond),
                    entry.medianCycles.map(Self.cycles) ?? "-",
                ])
            }
            for layer in record.layers where layer.name.hasSuffix(".weight") && layer.kernel != "unknown" {
                kernels.append([record.variant, layer.name, layer.encoding, layer.kernel])
            }
            if let bytes = record.memory.alternateFormBytes, bytes != 0 {
                secondForms.append("\(record.variant) \(bytes > 0 ? "+" : "−")\(ReportFormatting.bytes(abs(bytes)))")
            }
            for share in record.operators {
                operators.append([record.variant, share.kind, String(format: "%.1f", share.callsPerRun),
                                  Self.seconds(share.secondsPerRun), percent(share.share)])
            }
        }
        var text = summary.rendered() + "\n\nLatency per run\n" + latency.rendered()
            + "\n\nTime per operator (batch \(records.first?.settings.batchSizes.first ?? 1))\n" + operators.rendered()
            + "\n\nKernel per weight, chosen at load (\"→ float32 at b1–2\": those batch sizes run the exact fp32 form, timed faster)\n"
            + kernels.rendered()
        if !secondForms.isEmpty {
            text += "\nFaster second forms kept in memory: " + secondForms.joined(separator: ", ")
        }
        let clocks = records.compactMap(\.clock)
        if let clock = clocks.first {
            text += String(format: "\n\nEffective core clock during the latency runs: %.2f GHz [%.2f – %.2f] (dependent-add probe%@); cycles (est.) = median × clock",
                           clock.medianHertz / 1e9, clock.p5Hertz / 1e9, clock.p95Hertz / 1e9,
                           Set(clocks).count > 1 ? ", first file; each file has its own" : ", same rounds as the models")
        }
        let reasons = Set(records.compactMap(\.energy.measuredUnavailableReason))
        if !reasons.isEmpty { text += "\n\nMeasured energy n/a: " + reasons.sorted().joined(separator: "; ") }
        return text
    }

    /// Seconds as ns, µs, ms or s.
    static func seconds(_ value: Double) -> String {
        switch value {
        case ..<1e-6: String(format: "%.0f ns", value * 1e9)
        case ..<1e-3: String(format: "%.1f µs", value * 1e6)
        case ..<1: String(format: "%.2f ms", value * 1e3)
        default: String(format: "%.2f s", value)
        }
    }

    /// Cycles as k or M (powers of 1000).
    static func cycles(_ value: Double) -> String {
        value < 1e6 ? String(format: "%.1f k", value / 1e3) : String(format: "%.2f M", value / 1e6)
    }

    /// Joules as nJ, µJ or mJ.
    static func joules(_ value: Double) -> String {
        switch value {
        case ..<1e-6: String(format: "%.1f nJ", value * 1e9)
        case ..<1e-3: String(format: "%.2f µJ", value * 1e6)
        default: String(format: "%.2f mJ", value * 1e3)
        }
    }
}
