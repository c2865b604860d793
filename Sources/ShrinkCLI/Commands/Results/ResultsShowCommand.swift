import ArgumentParser
import Foundation
import ShrinkMeasurement
import ShrinkResults
import ShrinkReports

/// `shrink results show ID`: everything recorded about one run.
struct ResultsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one recorded run (an id or a unique prefix of it, e.g. 3f2b9c1e).")

    @Argument(help: "The run's id or a unique prefix of it.")
    var id: String

    @OptionGroup var location: ResultsDatabaseLocation

    @Flag(help: "Print {\"id\", \"kind\", \"record\"} as JSON; the record is the stored BenchmarkRecord or CompressionRunRecord.")
    var json = false

    func run() throws {
        let store = try location.open()
        let summary = try store.run(matching: id)
        if json {
            let record = try store.recordObject(id: summary.id)
            let document: [String: Any] = ["id": summary.id.rawValue, "kind": summary.kind.rawValue, "record": record]
            let data = try JSONSerialization.data(
                withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        switch summary.kind {
        case .bench: print(Self.render(id: summary.id, try store.benchmarkRecord(id: summary.id)))
        case .compress: print(Self.render(id: summary.id, try store.compressionRecord(id: summary.id)))
        }
    }

    static func render(machine: MachineDescription) -> String {
        "Machine: \(machine.cpuModel), \(machine.logicalCores) logical cores, \(ReportFormatting.bytes(machine.memoryBytes)), "
            + "\(machine.operatingSystem), kernels \(machine.kernelPath), host \(machine.hostName)"
    }

    static func render(id: RunID, _ record: BenchmarkRecord) -> String {
        let settings = record.settings
        var lines = [
            "Run \(id) (bench), recorded \(record.recordedAt) by \(record.codeVersion)",
            "Variant \(record.variant): \(record.architecture), \(record.modelPath) (sha256 \(record.modelSHA256.prefix(16))…)",
            render(machine: record.machine),
            "Settings: \(settings.dataset), \(settings.testSamples) test samples, batch sizes "
                + "\(settings.batchSizes.map(String.init).joined(separator: ", ")), \(settings.threads) threads"
                + (settings.shard.map { ", shard \($0)" } ?? ""),
            "Size: \(record.size.fileBytes) bytes (\(ReportFormatting.bytes(record.size.fileBytes)); gzip \(record.size.gzipBytes)), "
                + "\(record.size.parameters) parameters, \(record.size.nonZeroParameters) non-zero",
        ]
        if let accuracy = record.accuracy {
            lines.append("Accuracy: top-1 \(percent(accuracy.top1)), top-5 \(percent(accuracy.top5)), macro F1 "
                + String(format: "%.4f", accuracy.classification.macroAverage.f1))
        }
        lines.append("Load: \(formatSeconds(record.loadSeconds)); peak resident "
            + (record.memory.peakResidentBytes.map(ReportFormatting.bytes) ?? "-"))
        let energy = record.energy
        lines.append("Energy per inference: modelled " + String(format: "%.3g J", energy.modelled.totalJoules)
            + ", measured " + (energy.measuredJoules.map { String(format: "%.3g J", $0) }
                ?? "- (\(energy.measuredUnavailableReason ?? "not measured"))"))
        if let compression = record.compression {
            lines.append("Compression: \(compression.recipe), "
                + compression.steps.map { "\($0.kind) \(String(format: "%.1f s", $0.seconds))" }.joined(separator: ", "))
        }
        var table = TextTable([("batch", .right), ("median", .right), ("p5", .right), ("p95", .right), ("runs", .right),
                               ("samples/s", .right)])
        for entry in record.latency {
            table.append([
                "\(entry.batchSize)", formatSeconds(entry.latency.medianSeconds), formatSeconds(entry.latency.p5Seconds),
                formatSeconds(entry.latency.p95Seconds), "\(entry.latency.runs)", String(format: "%.0f", entry.samplesPerSecond),
            ])
        }
        if !record.latency.isEmpty { lines += ["", table.rendered()] }
        return lines.joined(separator: "\n")
    }

    static func render(id: RunID, _ record: CompressionRunRecord) -> String {
        let settings = record.settings
        let sparsity = record.weightElements == 0 ? 0 : 1 - Double(record.weightNonZero) / Double(record.weightElements)
        var lines = [
            "Run \(id) (compress), recorded \(record.recordedAt) by \(record.codeVersion)",
            "Recipe \(record.recipe): \(record.inputPath) → \(record.outputPath) (\(record.architecture), "
                + "\(record.outputBytes) bytes (\(ReportFormatting.bytes(record.outputBytes))), sha256 \(record.outputSHA256.prefix(16))…)",
            render(machine: record.machine),
            "Settings: \(settings.dataset), \(settings.trainingSamples) training and \(settings.testSamples) test samples, "
                + "\(settings.threads.map(String.init) ?? "all") threads"
                + (settings.seed.map { ", seed \($0)" } ?? "") + (settings.shard.map { ", shard \($0)" } ?? ""),
            "Test accuracy: \(record.accuracyBefore.map(percent) ?? "-") → \(record.accuracyAfter.map(percent) ?? "-"); "
                + "weights \(percent(sparsity)) sparse (\(record.weightNonZero) of \(record.weightElements) non-zero); "
                + String(format: "%.1f s", record.totalSeconds),
            "",
        ]
        var table = TextTable([("step", .right), ("kind", .left), ("seconds", .right), ("summary", .left)])
        for (index, step) in record.steps.enumerated() {
            table.append(["\(index + 1)", step.kind, String(format: "%.2f", step.seconds), step.summary])
        }
        lines.append(withoutTrailingSpaces(table.rendered()))
        return lines.joined(separator: "\n")
    }
}
