import ArgumentParser
import Foundation
import ShrinkBenchmarking
import ShrinkCompression
import ShrinkFormats
import ShrinkReports
import ShrinkResults
import ShrinkRuntime
import Testing
@testable import ShrinkCLI

/// The demo at a size the test budget allows: every built-in recipe on both LeNets, trained and
/// fine-tuned on a few hundred images, measured with a minimal latency protocol.
enum DemoTestSupport {
    static func configuration(recipes: [String] = BuiltInRecipes.names) -> DemoConfiguration {
        DemoConfiguration(
            name: "test", trainingEpochs: 1, trainingSampleLimit: 640, fineTuningSampleLimit: 256, testSampleLimit: 200,
            recipes: recipes, seed: 3,
            benchmark: DemoBenchmarkSettings(
                batchSizes: [1, 8], warmUpRuns: 1, minimumRuns: 2, maximumRuns: 3, minimumRunSeconds: 0,
                profileRuns: 1, runsPerRound: 1))
    }

    /// The `shrink` executable built beside the test bundle (`swift build --build-tests` builds
    /// it), for the memory probe's child processes.
    static func shrinkExecutable() throws -> String {
        let bundle = Bundle.main.bundlePath.hasSuffix(".xctest") ? Bundle.main.bundlePath
            : (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var folder = (bundle as NSString).deletingLastPathComponent
        while !folder.isEmpty, folder != "/" {
            let candidate = folder + "/shrink"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = (folder as NSString).deletingLastPathComponent
        }
        throw CommandFailure("no shrink executable beside \(bundle); run `swift build` first")
    }
}

/// Thrown by a test's observer to stop a demo half-way, as an interrupt would.
struct DemoInterruption: Error {}

@Suite(.serialized) struct DemoCommandTests {
    @Test func demoWritesReloadsAndReportsEveryVariantWithEveryMetric() throws {
        let folder = makeTemporaryDirectory(prefix: "shrink-demo") + "/demo"
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let models = ["lenet-300-100", "lenet-5"]
        var lines = [String]()
        let demo = DemoRun(
            configuration: DemoTestSupport.configuration(), folder: folder, models: models, threads: 2,
            memoryProbe: .childProcess(executable: try DemoTestSupport.shrinkExecutable()), log: { lines.append($0) })
        let report = try demo.run()

        let variants = try models.flatMap { try demo.variants(of: $0) }
        #expect(variants.count == 2 * (1 + BuiltInRecipes.names.count))
        let markdown = try String(contentsOfFile: folder + "/" + DemoRun.markdownName, encoding: .utf8)
        let html = try String(contentsOfFile: folder + "/" + DemoRun.htmlName, encoding: .utf8)
        for variant in variants {
            // Written, and reloads into a runtime plan.
            let file = try ModelFile.read(from: variant.path)
            _ = try ExecutionPlan(file: file, threads: 1)
            #expect(markdown.contains("| " + MarkdownReport.escape(variant.name) + " |"), "report lacks \(variant.name)")
            #expect(html.contains(">" + variant.name + "<"), "HTML report lacks \(variant.name)")
        }
        // Every metric of every variant's summary row is filled.
        for section in report.models {
            let headers = report.summaryHeaders(section)
            let cells = report.summaryCells(section)
            #expect(cells.count == 1 + BuiltInRecipes.names.count)
            for row in cells {
                for (header, cell) in zip(headers, row) {
                    #expect(cell != ReportFormatting.missing && !cell.contains(ReportFormatting.missing),
                            "\(row[0]): \(header) is not filled")
                }
            }
            #expect(section.deepCompression != nil)
        }
        #expect(report.headline().contains { $0.hasPrefix("lenet-300-100 deep-compression: ") && $0.contains("× smaller than the fp32 file") })
        #expect(report.headline().contains { $0.hasPrefix("lenet-300-100 int8-static at batch 1:") })
        #expect(markdown.contains("### Deep Compression, per layer"))
        // Progress lines carry an ETA once a speed has been measured.
        #expect(lines.contains { $0.contains("left") })
    }

    @Test func anInterruptedDemoResumesWithoutRedoingFinishedVariants() throws {
        let folder = makeTemporaryDirectory(prefix: "shrink-demo-resume")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = DemoTestSupport.configuration(recipes: ["fp16", "int8-dynamic", "prune-50"])
        var finished = 0
        let interrupted = DemoRun(
            configuration: configuration, folder: folder, models: ["lenet-300-100"], threads: 1,
            memoryProbe: .skipped(reason: "test"), log: { _ in },
            observer: { event in
                if case .variantFinished = event {
                    finished += 1
                    if finished == 2 { throw DemoInterruption() }
                }
            })
        #expect(throws: DemoInterruption.self) { try interrupted.run() }
        let first = try interrupted.variants(of: "lenet-300-100")
        let writtenBefore = try first.prefix(3).map { try FileManager.default.attributesOfItem(atPath: $0.path)[.modificationDate] as? Date }
        #expect(!FileManager.default.fileExists(atPath: first[3].path))

        var events = [DemoEvent]()
        let resumed = DemoRun(
            configuration: configuration, folder: folder, models: ["lenet-300-100"], threads: 1,
            memoryProbe: .skipped(reason: "test"), log: { _ in }, observer: { events.append($0) })
        try resumed.run()
        #expect(events == [
            .baselineReady(model: "lenet-300-100", reused: true),
            .variantFinished(variant: "lenet-300-100-fp16", reused: true),
            .variantFinished(variant: "lenet-300-100-int8-dynamic", reused: true),
            .variantFinished(variant: "lenet-300-100-prune-50", reused: false),
            .measured(model: "lenet-300-100", reused: false),
        ])
        let writtenAfter = try first.prefix(3).map { try FileManager.default.attributesOfItem(atPath: $0.path)[.modificationDate] as? Date }
        #expect(writtenBefore == writtenAfter, "finished files were written again")
        let store = try ResultsStore(path: folder + "/" + DemoRun.databaseName, mode: .readOnly)
        let compressions = try store.runs(filter: RunFilter(kind: .compress)).map(\.variant).sorted()
        #expect(compressions == ["lenet-300-100-fp16", "lenet-300-100-int8-dynamic", "lenet-300-100-prune-50"])

        // A third run redoes nothing.
        events = []
        try DemoRun(configuration: configuration, folder: folder, models: ["lenet-300-100"], threads: 1,
                    memoryProbe: .skipped(reason: "test"), log: { _ in }, observer: { events.append($0) }).run()
        #expect(events.allSatisfy {
            switch $0 {
            case let .baselineReady(_, reused), let .variantFinished(_, reused), let .measured(_, reused): reused
            }
        }, "a third run redid work: \(events)")

        // A baseline whose bytes changed is not trusted: it is trained again. Training is
        // reproducible, so it comes back byte for byte and the variants made from it stay valid.
        let original = try DemoRun.bytes(first[0].path)
        var damaged = original
        damaged[damaged.count / 2] ^= 0xFF
        #expect(FileManager.default.createFile(atPath: first[0].path, contents: Data(damaged)))
        events = []
        try DemoRun(configuration: configuration, folder: folder, models: ["lenet-300-100"], threads: 1,
                    memoryProbe: .skipped(reason: "test"), log: { _ in }, observer: { events.append($0) }).run()
        #expect(events.first == .baselineReady(model: "lenet-300-100", reused: false))
        #expect(try DemoRun.bytes(first[0].path) == original)
        #expect(events.contains(.variantFinished(variant: "lenet-300-100-fp16", reused: true)))
    }

    @Test func demoOptionsAreCheckedBeforeAnyWork() throws {
        #expect(throws: (any Error).self) { try DemoCommand.parse(["--model", "no-such-model", "--output", "/tmp/x"]) }
        #expect(throws: (any Error).self) { try DemoCommand.parse(["--model", "lenet-5", "--model", "lenet-5"]) }
        #expect(throws: (any Error).self) { try DemoCommand.parse(["--output", "/nonexistent-folder/demo"]) }
        let folder = makeTemporaryDirectory(prefix: "shrink-demo-options")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(FileManager.default.createFile(atPath: folder + "/notes.txt", contents: Data("mine".utf8)))
        // A folder holding someone else's files is not a demo folder.
        let error = #expect(throws: (any Error).self) { try DemoCommand.parse(["--output", folder]) }
        #expect(DemoCommand.message(for: try #require(error)).contains("--force"))
        _ = try DemoCommand.parse(["--output", folder, "--force"])
        #expect(FileManager.default.createFile(atPath: folder + "/file", contents: Data()))
        #expect(throws: (any Error).self) { try DemoCommand.parse(["--output", folder + "/file"]) }
        let parsed = try DemoCommand.parse(["--quick", "--output", folder + "/new", "--model", "lenet-5", "--threads", "1"])
        #expect(parsed.quick && parsed.selectedModels == ["lenet-5"])
        #expect(try DemoCommand.parse(["--output", folder + "/new"]).selectedModels == ["lenet-300-100", "lenet-5"])
    }
}

@Suite struct DemoVerdictTests {
    @Test func smallerAtNoCostIsWorthIt() {
        let verdict = DemoVerdict.judge(sizeRatio: 40.1, speedUps: [(1, 1.3), (64, 1.01)], errorPoints: 0.05)
        #expect(verdict.kind == .worthIt)
        #expect(verdict.findings == "40.1× smaller, 1.30× faster at batch 1, same speed at batch 64, +0.05 pp error (less accurate)")
    }

    @Test func slowerOrCostlyVariantsAreTradeOffs() {
        let slower = DemoVerdict.judge(sizeRatio: 3.9, speedUps: [(1, 0.5)], errorPoints: 0)
        #expect(slower.kind == .tradeOff && slower.reason == "slower at batch 1")
        #expect(slower.findings.contains("2.00× slower at batch 1") && slower.findings.contains("no change in error"))
        let costly = DemoVerdict.judge(sizeRatio: 8, speedUps: [(1, 1.2)], errorPoints: 0.6)
        #expect(costly.kind == .tradeOff && costly.reason == "costs +0.60 pp of error")
    }

    @Test func neitherSmallerNorFasterOrTooInaccurateIsNotWorthIt() {
        let same = DemoVerdict.judge(sizeRatio: 1.02, speedUps: [(1, 0.99), (64, 1.0)], errorPoints: -0.1)
        #expect(same.kind == .notWorthIt && same.reason == "neither smaller nor faster")
        #expect(same.findings.contains("about the same size") && same.findings.contains("more accurate"))
        let larger = DemoVerdict.judge(sizeRatio: 0.5, speedUps: [(1, 0.8)], errorPoints: 0)
        #expect(larger.kind == .notWorthIt && larger.reason == "not smaller, and slower" && larger.findings.hasPrefix("2.00× larger"))
        let inaccurate = DemoVerdict.judge(sizeRatio: 40, speedUps: [(1, 2)], errorPoints: 1.5)
        #expect(inaccurate.kind == .notWorthIt && inaccurate.sentence.hasPrefix("not worth it (costs +1.50 pp of error): 40.0× smaller"))
    }
}

@Suite struct DemoProgressTests {
    @Test func durationsAreWords() {
        #expect(DemoProgress.duration(42.4) == "42 s")
        #expect(DemoProgress.duration(185) == "3 min 5 s")
        #expect(DemoProgress.duration(3720) == "1 h 2 min")
    }

    @Test func theEstimateScalesEachModelByItsMeasuredSpeed() throws {
        let progress = DemoProgress(tasks: [
            .init(label: "a", model: "fast", units: 10), .init(label: "b", model: "fast", units: 30),
            .init(label: "c", model: "slow", units: 10), .init(label: "d", model: "slow", units: 10),
            .init(label: "measure", model: nil, units: 4),
        ])
        #expect(progress.remainingSeconds == nil)
        progress.finish(0, seconds: 1)
        // Unmeasured models borrow the slowest measured rate; measurement 1.5 s a file.
        let first: Double = try #require(progress.remainingSeconds)
        #expect(abs(first - 11) < 1e-9)
        progress.finish(2, seconds: 5)
        let second: Double = try #require(progress.remainingSeconds)
        #expect(abs(second - 14) < 1e-9)
        // A reused task teaches nothing about speed.
        progress.finish(1, seconds: nil)
        let third: Double = try #require(progress.remainingSeconds)
        #expect(abs(third - 11) < 1e-9)
        #expect(progress.counter(0) == "[1/5]")
    }
}
