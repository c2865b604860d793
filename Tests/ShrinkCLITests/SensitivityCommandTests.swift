import ArgumentParser
import Foundation
import Testing
@testable import ShrinkCLI

@Suite(.serialized) struct SensitivityCommandTests {
    @Test func sweepsAreValidatedBeforeRunning() throws {
        for arguments in [
            ["m.shrink", "--sparsities", "0.5,1.2"], ["m.shrink", "--sparsities", "half"],
            ["m.shrink", "--quantization-bits", "1"], ["m.shrink", "--clustering-bits", "0"],
            ["m.shrink", "--techniques", "pruning,distillation"], ["m.shrink", "--test-limit", "0"],
            ["m.shrink", "--maximum-drop", "-1"],
        ] {
            #expect(throws: (any Error).self, "\(arguments)") { try SensitivityCommand.parse(arguments) }
        }
        let command = try SensitivityCommand.parse(["m.shrink", "--sparsities", "0.25, 0.75", "--techniques", "pruning"])
        #expect(try command.sweep().sparsities == [0.25, 0.75] && command.sweep().techniques == [.pruning])
    }

    @Test func measuresATrainedModelAndWritesTheChartPage() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-sensitivity")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trained = try trainTinyLeNet(in: directory)
        let html = directory + "/sensitivity.html"
        let arguments = [trained, "--test-limit", "300", "--sparsities", "0.9", "--quantization-bits", "4",
                         "--clustering-bits", "2", "--html", html, "--threads", "1"]
        try SensitivityCommand.parse(arguments).run()
        // The page holds a chart per technique with a line per layer, and the tables.
        let page = try String(contentsOfFile: html, encoding: .utf8)
        for chart in ["sensitivity-pruning", "sensitivity-structured-pruning", "sensitivity-quantization", "sensitivity-clustering"] {
            #expect(page.contains("data-chart=\"\(chart)\""))
        }
        // 3 layers × 3 charts, and 2 lines for structured pruning (fc3's units reach the output).
        #expect(page.components(separatedBy: "class=\"mark series-line\"").count - 1 == 11)
        for row in ["fc1", "fc2", "fc3"] { #expect(page.contains("\n\(row) ")) }
        // An existing page is refused before any work unless --force.
        #expect(throws: (any Error).self) { try SensitivityCommand.parse(arguments) }
        _ = try SensitivityCommand.parse(arguments + ["--force"])
    }
}
