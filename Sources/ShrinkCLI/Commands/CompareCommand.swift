import ArgumentParser
import Foundation
import ShrinkFormats
import ShrinkMeasurement
import ShrinkReports

/// `shrink compare`: benchmark records side by side with ratios against a baseline, as Markdown,
/// CSV, JSON or a self-contained HTML report with charts.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare benchmark records (from `shrink bench --json`) against a baseline.",
        discussion: """
            Each INPUT is a JSON file holding one benchmark record or an array of them. Ratios are \
            baseline ÷ variant (above 1 is better); the baseline defaults to the first variant. The \
            format defaults to the --output file's extension (.md, .csv, .json, .html), else Markdown.
            """)

    @Argument(help: "JSON files of benchmark records (`shrink bench --json` output).")
    var inputs: [String] = []

    @Option(help: "The variant every ratio is taken against (default: the first one).")
    var baseline: String?

    @Option(help: "The report format (default: from --output's extension, else markdown).")
    var format: ReportFormat?

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    @OptionGroup var overwrite: OverwriteOptions

    @Option(help: "The batch size of the accuracy-vs-latency chart and Pareto front.")
    var batch: Int = 1

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Give at least one JSON file of benchmark records.") }
        if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch).") }
        if let output { try OutputPath.check(output, force: overwrite.force, inputs: inputs) }
        if format == nil, let output, Self.format(forPath: output) == nil, !(output as NSString).pathExtension.isEmpty {
            throw ValidationError("Cannot tell the format from '\(output)'; give --format "
                + ReportFormat.allCases.map(\.rawValue).joined(separator: "|") + ".")
        }
        do {
            _ = try comparison()
        } catch let error as ComparisonError {
            throw ValidationError(error.description)
        } catch let error as CompareInputError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let text = try resolvedFormat.render(try comparison())
        if let output {
            try Self.writeReplacing(path: output, text: text)
        } else {
            print(text, terminator: "")
        }
    }

    /// The explicit format, else the one the output's extension names, else Markdown.
    var resolvedFormat: ReportFormat {
        format ?? output.flatMap(Self.format(forPath:)) ?? .markdown
    }

    func comparison() throws -> Comparison {
        try Comparison(records: try Self.loadRecords(inputs: inputs), baseline: baseline, batchSize: batch)
    }

    /// The records of every input, in order. (The one place inputs are read: the results store
    /// will add run ids here.)
    static func loadRecords(inputs: [String]) throws(CompareInputError) -> [BenchmarkRecord] {
        var records: [BenchmarkRecord] = []
        for input in inputs {
            guard let data = FileManager.default.contents(atPath: input) else { throw .unreadable(input) }
            let decoder = JSONDecoder()
            if let many = try? decoder.decode([BenchmarkRecord].self, from: data) {
                if many.isEmpty { throw .empty(input) }
                records += many
                continue
            }
            do {
                records.append(try decoder.decode(BenchmarkRecord.self, from: data))
            } catch {
                throw .undecodable(input, reason: (error as? DecodingError)?.oneLineDescription ?? "\(error)")
            }
        }
        return records
    }

    /// The format a file name's extension names, if any.
    static func format(forPath path: String) -> ReportFormat? {
        switch (path as NSString).pathExtension.lowercased() {
        case "md", "markdown": return .markdown
        case "csv": return .csv
        case "json": return .json
        case "html", "htm": return .html
        default: return nil
        }
    }

    /// Writes `text` to a temporary file beside `path`, then renames it over `path`
    /// (`AtomicFile`, as model files are written), so a reader never sees a half-written report.
    static func writeReplacing(path: String, text: String) throws {
        do {
            try AtomicFile.write(Array(text.utf8), to: path)
        } catch {
            throw CompareInputError.unwritable(path)
        }
    }
}

/// Why `shrink compare` cannot read its inputs or write its output.
enum CompareInputError: Error, CustomStringConvertible {
    case unreadable(String)
    case empty(String)
    case undecodable(String, reason: String)
    case unwritable(String)

    var description: String {
        switch self {
        case .unreadable(let path): return "Cannot read '\(path)'."
        case .empty(let path): return "'\(path)' holds an empty array of benchmark records."
        case .undecodable(let path, let reason):
            return "'\(path)' is not a benchmark record or an array of them (\(reason))."
        case .unwritable(let path): return "Cannot write the report to '\(path)'."
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}
