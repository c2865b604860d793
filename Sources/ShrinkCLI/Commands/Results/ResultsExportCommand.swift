import ArgumentParser
import Foundation
import ShrinkResults

/// `shrink results export`: every run as JSON or CSV (column names in docs/RESULTS.md).
struct ResultsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every recorded run as JSON or CSV.",
        discussion: """
            JSON: {"schema_version": 1, "runs": [...]}, each run with the runs table's columns, \
            "parameters", "latencies", "compression_steps" and the full "record". CSV: one line \
            per run with the runs table's columns, then latency_median_seconds_b<B>, \
            latency_p5_seconds_b<B>, latency_p95_seconds_b<B> and samples_per_second_b<B> for \
            each batch size B any run measured. Runs are oldest first.
            """)

    @OptionGroup var location: ResultsDatabaseLocation

    @Option(help: "json or csv.")
    var format: ExportFormat = .json

    @Option(help: "Write to this file instead of standard output.")
    var output: String?

    @OptionGroup var overwrite: OverwriteOptions

    func validate() throws {
        if let output { try OutputPath.check(output, force: overwrite.force, inputs: [location.database]) }
    }

    func run() throws {
        let text = try location.open().export(format: format)
        guard let output else {
            print(text, terminator: "")
            return
        }
        // Written to a temporary name, then renamed: an interrupted export leaves no half file.
        do {
            try CompareCommand.writeReplacing(path: output, text: text)
        } catch {
            throw CommandFailure("Cannot write the export to \(output).")
        }
    }
}

extension ExportFormat: ExpressibleByArgument {}
