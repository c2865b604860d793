import ArgumentParser
import Foundation
import ShrinkFormats
import ShrinkNN
import ShrinkResults
import ShrinkTensor
import Testing
@testable import ShrinkCLI

/// A user's run is never wasted: every destination is checked before the work, outputs are not
/// replaced without --force and inputs never, measured results are printed even when saving
/// them fails.
@Suite(.serialized) struct OutputSafetyTests {
    /// The message a command prints for its arguments, or nil when they are accepted.
    private func rejection<Command: ParsableCommand>(_ command: Command.Type, _ arguments: [String]) -> String? {
        do {
            _ = try Command.parse(arguments)
            return nil
        } catch {
            return Command.message(for: error)
        }
    }

    /// A LeNet-300-100 with seeded random weights, written as a model file.
    private static func writeModel(to path: String) throws {
        var generator = SeededRandomNumberGenerator(seed: 7)
        let network = try GraphNetwork(graph: ModelZoo.graph(named: "lenet-300-100"), generator: &generator)
        try ModelFile(graph: network.graph, parameters: network.parameters, metadata: ModelMetadata()).write(to: path)
    }

    @Test func badDestinationsAreRejectedBeforeAnyWork() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-destinations")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = directory + "/model.shrink"
        try Self.writeModel(to: model)
        let missing = directory + "/no/such/folder"
        let garbage = directory + "/garbage.db"
        #expect(FileManager.default.createFile(atPath: garbage, contents: Data("not sqlite at all, just text".utf8)))
        let records = directory + "/records.json"
        #expect(FileManager.default.createFile(atPath: records, contents: Data("[]".utf8)))

        let train = rejection(TrainCommand.self, ["--model", "lenet-5", "--output", missing + "/m.shrink"])
        #expect(train == "--output \(missing)/m.shrink: the folder \(missing) does not exist.")
        #expect(rejection(TrainCommand.self, ["--model", "lenet-5", "--output", directory]) == "--output \(directory) is a folder; give a file path.")

        let compress = [model, "--recipe", "fp16", "--output", directory + "/out.shrink"]
        #expect(rejection(CompressCommand.self, compress + ["--report-json", missing + "/r.json"])?
            .hasPrefix("--report-json \(missing)/r.json: the folder") == true)
        #expect(rejection(CompressCommand.self, compress + ["--database", missing + "/r.db"]) == "--database \(missing)/r.db: the folder \(missing) does not exist.")
        #expect(rejection(CompressCommand.self, compress + ["--database", directory]) == "--database \(directory) is a folder; give a database file path.")
        let unopenable = try #require(rejection(CompressCommand.self, compress + ["--database", garbage]))
        #expect(unopenable.hasPrefix("--database \(garbage) cannot be opened:") && !unopenable.contains("\n"))
        #expect(rejection(CompressCommand.self, compress + ["--report-json", directory + "/out.shrink"])?
            .contains("--output and --report-json are the same file") == true)
        #expect(rejection(CompressCommand.self, compress + ["--database", garbage, "--no-record"]) == nil, "--no-record opens no database")
        #expect(rejection(CompressCommand.self, compress) == nil)

        #expect(rejection(BenchCommand.self, [model, "--database", garbage])?.hasPrefix("--database \(garbage) cannot be opened:") == true)
        #expect(rejection(BenchCommand.self, [model, "--database", missing + "/r.db"])?.contains("does not exist") == true)
        #expect(rejection(CompareCommand.self, [records, "--output", missing + "/report.md"])?.contains("does not exist") == true)
        #expect(rejection(ResultsExportCommand.self, ["--output", missing + "/runs.csv"])?.contains("does not exist") == true)
        #expect(rejection(ExportCommand.self, [model, "--output", directory + "/m.onnx", "--check-files", missing])
            == "--check-files \(missing) is not a folder.")
        #expect(rejection(ResultsMergeCommand.self, [garbage, directory + "/shard.db"])?.hasPrefix("--database \(garbage) cannot be opened") == true)
    }

    @Test func existingOutputsNeedForceAndInputsAreNeverReplaced() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-overwrite")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = directory + "/model.shrink"
        try Self.writeModel(to: model)
        let taken = directory + "/taken.shrink"
        #expect(FileManager.default.createFile(atPath: taken, contents: Data()))

        #expect(rejection(TrainCommand.self, ["--model", "lenet-5", "--output", taken]) == "--output \(taken) exists; give --force to replace it.")
        #expect(rejection(TrainCommand.self, ["--model", "lenet-5", "--output", taken, "--force"]) == nil)

        // The input, under any name, even with --force.
        let sameInput = "--output \(model) is the input file \(model); write to another path (inputs are never replaced, even with --force)."
        #expect(rejection(CompressCommand.self, [model, "--recipe", "fp16", "--output", model, "--force"]) == sameInput)
        let linked = directory + "/linked.shrink"
        try FileManager.default.linkItem(atPath: model, toPath: linked)
        #expect(rejection(CompressCommand.self, [model, "--recipe", "fp16", "--output", linked, "--force"])?.contains("is the input file") == true)
        #expect(rejection(CompressCommand.self, [model, "--recipe", "fp16", "--output", directory + "/./model.shrink", "--force"])?
            .contains("is the input file") == true)
        #expect(rejection(CompressCommand.self, [model, "--recipe", "fp16", "--output", directory + "/x.shrink", "--report-json", model, "--force"])?
            .hasPrefix("--report-json \(model) is the input file") == true)
        #expect(rejection(CompressCommand.self, [model, "--recipe", "fp16", "--output", taken]) == "--output \(taken) exists; give --force to replace it.")
        #expect(rejection(CompressCommand.self, [model, "--recipe", "fp16", "--output", taken, "--force"]) == nil)

        let records = directory + "/records.json"
        #expect(FileManager.default.createFile(atPath: records, contents: Data("[]".utf8)))
        #expect(rejection(CompareCommand.self, [records, "--output", records, "--force"])?.contains("is the input file") == true)
        #expect(rejection(CompareCommand.self, [records, "--output", taken])?.contains("give --force") == true)
        #expect(rejection(ResultsExportCommand.self, ["--database", taken, "--output", taken, "--force"])?.contains("is the input file") == true)
        #expect(rejection(ResultsMergeCommand.self, [taken, directory + "/shard.db", directory + "/./taken.shrink"])?
            .contains("is also an input") == true)
        #expect(rejection(ExportCommand.self, [model, "--output", taken]) == "--output \(taken) exists; give --force to replace it.")
    }

    @Test func benchPrintsItsMeasurementsWhenTheDatabaseFails() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-bench-late")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = directory + "/tiny.shrink"
        try Self.writeModel(to: model)
        let database = directory + "/results.db"
        let command = try BenchCommand.parse([
            model, "--batch", "1", "--warm-up", "0", "--min-runs", "1", "--max-runs", "1", "--min-run-time", "0",
            "--profile-runs", "1", "--runs-per-round", "1", "--test-limit", "20", "--skip-memory", "--threads", "1",
            "--json", "--database", database,
        ])
        // Broken after the checks passed: recording fails at the end.
        try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: false)
        var failure: (any Error)?
        let printed = captureStandardOutput {
            do { try command.run() } catch { failure = error }
        }
        let message = String(describing: try #require(failure))
        #expect(message.hasPrefix("the results above were not saved in \(database):") && !message.contains("\n"))
        #expect(printed.contains("\"variant\" : \"tiny\""), "the record was printed: \(printed.prefix(200))")

        // A missing file anywhere in the list stops the run before the first is measured.
        let typo = try BenchCommand.parse([model, directory + "/tyny.shrink", "--skip-memory", "--no-record", "--test-limit", "20"])
        let error = #expect(throws: CommandFailure.self) { try typo.run() }
        #expect(error?.description == "cannot read \(directory)/tyny.shrink")
    }

    @Test func runtimeErrorsAreOneLineWithoutUsage() throws {
        // A ValidationError thrown while running is no usage mistake: one line, no usage block.
        let runtime = CommandFailure.oneLine(ValidationError("Cannot write the export to x.csv."))
        #expect(Shrink.fullMessage(for: runtime) == "Error: Cannot write the export to x.csv.")
        #expect(Shrink.fullMessage(for: ValidationError("bad option")).contains("Usage:"), "a parse-time ValidationError keeps its usage")

        struct Record: Decodable { var accuracy: [Double] }
        let decoding = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Record.self, from: Data(#"{"accuracy": [0.5, "high"]}"#.utf8))
        }
        let message = String(describing: CommandFailure.oneLine(try #require(decoding)))
        #expect(message == "invalid data: expected Double at accuracy[1]")

        struct Chatty: Error, CustomStringConvertible { var description: String { "first line\n  second line\n" } }
        #expect(String(describing: CommandFailure.oneLine(Chatty())) == "first line; second line")
        #expect(CommandFailure.oneLine(ExitCode.failure) is ExitCode)

        // An energy table of the wrong shape: one line naming the field.
        let directory = makeTemporaryDirectory(prefix: "shrink-energy")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let table = directory + "/table.json"
        #expect(FileManager.default.createFile(atPath: table, contents: Data(#"{"picojoulesPerOperation": 3}"#.utf8)))
        let energy = try #require(rejection(BenchCommand.self, ["m.shrink", "--energy-table", table]))
        #expect(energy.hasPrefix("--energy-table \(table):") && !energy.contains("\n") && !energy.contains("CodingKeys"), "\(energy)")
    }

    @Test func standardOutputIsLineBuffered() throws {
        // A pipe, as when the output goes to `tee` or a batch job's log.
        func bytesReadable(lineBuffered: Bool) throws -> String {
            var descriptors: [Int32] = [0, 0]
            #expect(pipe(&descriptors) == 0)
            defer { close(descriptors[0]) }
            let stream = try #require(fdopen(descriptors[1], "w"))
            defer { fclose(stream) }
            if lineBuffered { StandardOutput.makeLineBuffered(stream) }
            fputs("epoch 1 done\nepoch 2 halfway", stream)
            _ = fcntl(descriptors[0], F_SETFL, O_NONBLOCK)
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = read(descriptors[0], &buffer, buffer.count)
            return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
        }
        #expect(try bytesReadable(lineBuffered: false) == "", "a pipe is block-buffered by default: nothing arrives yet")
        #expect(try bytesReadable(lineBuffered: true) == "epoch 1 done\n", "each finished line arrives at once")
    }

    @Test func versionFlagParses() throws {
        let root = try #require(try Shrink.parseAsRoot(["--version"]) as? Shrink)
        #expect(root.version)
        #expect(Shrink.helpMessage().contains("--version"))
    }

    @Test func sizesUseTheReportsDecimalUnits() {
        #expect(ResultsShowCommand.render(machine: ResultsCommandTests.machine).contains("25.8 GB"))
    }
}
