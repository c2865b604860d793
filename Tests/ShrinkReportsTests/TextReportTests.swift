import Foundation
import ShrinkMeasurement
import Testing
@testable import ShrinkReports

@Suite struct TextReportTests {
    func twoVariants(secondName: String = "int8-static", secondTop1: Double? = 0.9805) throws -> Comparison {
        let sweep = RecordFixtures.sweep()
        var second = RecordFixtures.record(variant: secondName, fileBytes: 268_900, gzipBytes: 230_000, top1: secondTop1,
                                           latencies: [1: 14e-6], peakResidentBytes: nil, compressionSeconds: 1.4)
        second.energy = sweep[2].energy
        return try Comparison(records: [sweep[0], second])
    }

    @Test func formattingOfFigures() {
        #expect(ReportFormatting.bytes(812) == "812 B")
        #expect(ReportFormatting.bytes(268_900) == "269 kB")
        #expect(ReportFormatting.bytes(27_300) == "27.3 kB")
        #expect(ReportFormatting.bytes(1_067_200) == "1.07 MB")
        #expect(ReportFormatting.bytes(nil) == "–")
        #expect(ReportFormatting.seconds(14e-6) == "14.0 µs")
        #expect(ReportFormatting.seconds(0.00061) == "610 µs")
        #expect(ReportFormatting.seconds(1.4) == "1.40 s")
        #expect(ReportFormatting.seconds(310.7) == "311 s")
        #expect(ReportFormatting.joules(2.5e-7) == "250 nJ")
        #expect(ReportFormatting.percent(0.9805) == "98.05 %")
        #expect(ReportFormatting.points(-0.07) == "−0.07 pp")
        #expect(ReportFormatting.points(0.5) == "+0.50 pp")
        #expect(ReportFormatting.points(-0.001) == "±0.00 pp")
        #expect(ReportFormatting.ratio(3.96876) == "×3.97")
        #expect(ReportFormatting.ratio(39.09) == "×39.1")
        #expect(ReportFormatting.throughput(1 / 14e-6) == "71.4k/s")
        #expect(ReportFormatting.significant(0.0123) == "0.0123")
    }

    @Test func markdownTable() throws {
        let comparison = try twoVariants()
        let report = MarkdownReport(comparison: comparison)
        let lines = report.rendered().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "| Variant | Size | gzip | Peak memory | Latency b=1 | Latency b=64 | Throughput b=1 | "
            + "Energy (model) | Energy (RAPL) | Top-1 | Δ top-1 | Top-5 | Macro F1 | Compression time |")
        #expect(lines[1] == "| :--- |" + String(repeating: " ---: |", count: 13))
        let energy = ReportFormatting.joules(comparison.rows[1].modelledEnergyJoules)
        let energyRatio = ReportFormatting.ratio(comparison.rows[1].modelledEnergyRatio)
        let f1 = ReportFormatting.percent(comparison.rows[1].macroF1)
        #expect(lines[3] == "| int8-static | 269 kB (×3.97) | 230 kB (×4.28) | – | 14.0 µs (×2.93) | – | 71.4k/s | "
            + "\(energy) (\(energyRatio)) | – | 98.05 % | −0.07 pp | 99.55 % | \(f1) | 1.40 s |")
        #expect(lines[2].hasPrefix("| fp32 (baseline) | 1.07 MB | 985 kB | 20.0 MB | 41.0 µs | 610 µs | 24.4k/s | "))
        #expect(lines[2].hasSuffix(" | 98.12 % | – | 99.62 % | \(ReportFormatting.percent(comparison.rows[0].macroF1)) | – |"))
        #expect(lines.contains("Pareto front, top-1 vs size: int8-static, fp32"))
        #expect(lines.contains("Pareto front, top-1 vs latency (b=1): int8-static, fp32"))
    }

    @Test func markdownEscapesCellText() throws {
        let comparison = try twoVariants(secondName: "a|b <script>")
        let text = MarkdownReport(comparison: comparison).rendered()
        #expect(text.contains("| a\\|b \\<script\\> |"))
        #expect(!text.contains("<script>"))
        // Every table line has the header's number of unescaped pipes.
        let pipes = { (line: Substring) in line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count }
        let tableLines = text.split(separator: "\n").prefix(4)
        #expect(Set(tableLines.map(pipes)).count == 1)
    }

    /// Splits RFC 4180 text into records of fields.
    func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text.unicodeScalars)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.unicodeScalars.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    field.unicodeScalars.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(field); field = ""
            } else if character == "\r", characters.first == "\n" {
                characters.removeFirst()
                fields.append(field); field = ""
                records.append(fields); fields = []
            } else {
                field.unicodeScalars.append(character)
            }
        }
        return records
    }

    @Test func csvQuotingHeaderAndEmptyFields() throws {
        let comparison = try twoVariants(secondName: "he said \"hi\", ok\nbye", secondTop1: nil)
        let report = CSVReport(comparison: comparison)
        let text = report.rendered()
        #expect(text.hasPrefix("variant,architecture,is_baseline,file_bytes,gzip_bytes,file_compression_ratio,"
            + "gzip_compression_ratio,peak_resident_bytes,latency_b1_median_seconds,latency_b1_samples_per_second,"
            + "latency_b1_speed_up,latency_b64_median_seconds,latency_b64_samples_per_second,latency_b64_speed_up,"
            + "modelled_energy_joules,modelled_energy_ratio,measured_energy_joules,top1,top5,macro_f1,"
            + "top1_delta_points,compression_seconds,pareto_size,pareto_latency\r\n"))
        #expect(text.hasSuffix("\r\n"))
        #expect(text.contains("\"he said \"\"hi\"\", ok\nbye\""))
        let records = parseCSV(text)
        #expect(records.count == 3)
        #expect(records.allSatisfy { $0.count == report.headers.count })
        let baseline = Dictionary(uniqueKeysWithValues: zip(report.headers, records[1]))
        let second = Dictionary(uniqueKeysWithValues: zip(report.headers, records[2]))
        #expect(second["variant"] == "he said \"hi\", ok\nbye")
        #expect(second["file_bytes"] == "268900")
        #expect(Double(second["file_compression_ratio"] ?? "") == 1_067_200.0 / 268_900)
        #expect(second["peak_resident_bytes"] == "", "a missing figure is an empty field, not 0")
        #expect(second["top1"] == "" && second["top1_delta_points"] == "")
        #expect(second["latency_b64_median_seconds"] == "")
        #expect(Double(second["latency_b1_median_seconds"] ?? "") == 14e-6)
        #expect(baseline["is_baseline"] == "true" && second["is_baseline"] == "false")
        #expect(baseline["pareto_size"] == "true" && second["pareto_size"] == "false")
    }

    @Test func jsonFieldNamesAndNulls() throws {
        let comparison = try twoVariants(secondTop1: nil)
        let text = try JSONReport(comparison: comparison).rendered()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["schema_version", "baseline", "batch_size", "batch_sizes", "pareto_size",
                                     "pareto_latency", "rows"])
        #expect(object["baseline"] as? String == "fp32")
        #expect(object["batch_sizes"] as? [Int] == [1, 64])
        #expect(object["pareto_size"] as? [String] == ["fp32"])
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(Set(rows[1].keys) == [
            "variant", "architecture", "is_baseline", "file_bytes", "gzip_bytes", "file_compression_ratio",
            "gzip_compression_ratio", "peak_resident_bytes", "latency", "modelled_energy_joules", "modelled_energy_ratio",
            "measured_energy_joules", "top1", "top5", "macro_f1", "top1_delta_points", "compression_seconds",
        ])
        #expect(rows[1]["top1"] is NSNull && rows[1]["peak_resident_bytes"] is NSNull)
        #expect(rows[1]["measured_energy_joules"] is NSNull)
        #expect(rows[1]["file_bytes"] as? Int == 268_900)
        #expect(rows[1]["compression_seconds"] as? Double == 1.4)
        let latency = try #require(rows[1]["latency"] as? [[String: Any]])
        #expect(latency.count == 1)
        #expect(Set(latency[0].keys) == ["batch_size", "median_seconds", "samples_per_second", "speed_up"])
        #expect(abs(try #require(latency[0]["speed_up"] as? Double) - 41.0 / 14) < 1e-9)
    }

    @Test func everyFormatRenders() throws {
        let comparison = try Comparison(records: RecordFixtures.sweep())
        for format in ReportFormat.allCases {
            #expect(try !format.render(comparison).isEmpty)
        }
    }
}
