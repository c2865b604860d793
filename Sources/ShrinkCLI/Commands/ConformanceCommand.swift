import ArgumentParser
import Foundation
import ShrinkONNX

/// `shrink conformance`: runs ONNX's backend node tests through the importer and the runtime.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run ONNX backend node tests (onnx/backend/test/data/node) through Shrink and compare outputs.",
        discussion: "scripts/onnx/conformance.sh fetches the tests of the onnx 1.16.2 wheel and runs this.")

    @Argument(help: "The folder holding one sub-folder per node test (each with model.onnx and test_data_set_*).")
    var directory: String

    @Option(help: "Run only tests whose folder name contains this text.")
    var filter: String?

    @Flag(help: "Print one line per test, not only failures.")
    var verbose = false

    @Flag(help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(directory) is not a folder of ONNX node tests.")
        }
    }

    func run() throws {
        let report = try NodeTestRunner().run(directory: directory, filter: filter) { index, total, result in
            guard !json else { return }
            if verbose || result.outcome == .failed {
                print("[\(index)/\(total)] \(result.outcome.rawValue.uppercased()) \(result.name)"
                      + (result.detail.isEmpty ? "" : ": \(result.detail)"))
            }
        }
        if json {
            try printJSON(report)
        } else {
            var table = TextTable([("op", .left), ("tests", .right), ("passed", .right), ("documented exceptions", .right), ("failed", .right)])
            for row in report.summaries {
                table.append([row.operatorType, "\(row.tests)", "\(row.passed)", "\(row.expectedFailures)", "\(row.failed)"])
            }
            print(table.rendered())
            print("node tests: \(report.results.count) run, \(report.count(.passed)) passed, "
                  + "\(report.count(.expectedFailure)) documented exceptions, \(report.count(.failed)) failed, "
                  + "\(report.count(.refused)) refused (unsupported ops)")
        }
        if report.count(.failed) > 0 { throw ExitCode.failure }
    }
}
