import ArgumentParser
import Foundation
import ShrinkFormats
import ShrinkNN
import ShrinkONNX
import ShrinkRuntime
import ShrinkTensor

/// `shrink-benchmarks fuzz-onnx`: a long-running fuzz loop for the ONNX reader and importer.
///
/// It mutates valid ONNX files (LeNet-5 and resnet-mini as Shrink exports them, fp32 and QDQ)
/// with the same mutations as `fuzz-model-file` (bit flips, overwrites, truncations, insertions,
/// deletions, duplicated chunks, plausible integers). Every input must be refused with an
/// `ONNXError` or import into a graph the runtime compiles (or refuses with its own error); a
/// crash ends the process (replay with `--replay N`). The unit tests run 1,500 such inputs.
struct FuzzONNXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-onnx",
        abstract: "Fuzz the ONNX reader and importer with mutated and truncated models.")

    @OptionGroup var fuzzing: FuzzOptions

    @Option(help: "Where --replay writes the mutated model.")
    var replayOutput: String = "fuzz-input.onnx"

    var iterations: Int { fuzzing.iterations }
    var seed: UInt64 { fuzzing.seed }
    var slowMilliseconds: Double { fuzzing.slowMilliseconds }
    var replay: Int? { fuzzing.replay }

    func run() throws {
        let seeds = try Self.seedModels()
        if let replay {
            let input = Self.input(iteration: replay, seed: seed, seeds: seeds)
            try Data(input).write(to: URL(fileURLWithPath: replayOutput))
            print("iteration \(replay): \(input.count) bytes written to \(replayOutput)")
            print(Self.outcome(of: input))
            return
        }
        var imported = 0, slowCount = 0, slowest = (milliseconds: 0.0, iteration: 0)
        var kinds = [String: Int]()
        let start = Date()
        for iteration in 0..<iterations {
            let input = Self.input(iteration: iteration, seed: seed, seeds: seeds)
            let began = Date()
            let outcome = Self.outcome(of: input)
            let milliseconds = Date().timeIntervalSince(began) * 1000
            if milliseconds > slowest.milliseconds { slowest = (milliseconds, iteration) }
            if milliseconds > slowMilliseconds {
                slowCount += 1
                print("slow: iteration \(iteration) took \(String(format: "%.0f", milliseconds)) ms (replay with --replay \(iteration))")
            }
            if outcome == "imported" { imported += 1 } else { kinds[outcome, default: 0] += 1 }
            if (iteration + 1) % 10_000 == 0 || iteration + 1 == iterations {
                print(String(format: "%d inputs, %d imported, %d refused, slowest %.1f ms (iteration %d), peak memory %.0f MiB, %.0f s",
                             iteration + 1, imported, iteration + 1 - imported, slowest.milliseconds, slowest.iteration,
                             Self.peakResidentMebibytes(), Date().timeIntervalSince(start)))
            }
        }
        print("refusals by error kind:")
        for (kind, count) in kinds.sorted(by: { $0.value > $1.value }) { print("  \(count)  \(kind)") }
        if slowCount > 0 { throw ExitCode.failure }
    }

    /// `imported`, or the kind of refusal (the error's case).
    static func outcome(of input: [UInt8]) -> String {
        do {
            let model = try ImportedModelCheck.importAndCompile(input)
            return model
        } catch let error as ONNXError {
            return "onnx: " + (Mirror(reflecting: error).children.first?.label ?? "\(error)")
        } catch {
            return "runtime: \(type(of: error))"
        }
    }

    static func peakResidentMebibytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// The mutated input of one iteration, determined by the seed and the iteration alone.
    static func input(iteration: Int, seed: UInt64, seeds: [[UInt8]]) -> [UInt8] {
        var generator = SeededRandomNumberGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(iteration))
        var bytes = seeds[generator.nextIndex(below: seeds.count)]
        for _ in 0...generator.nextIndex(below: 4) { FuzzModelFileCommand.mutate(&bytes, using: &generator) }
        return bytes
    }

    /// Valid models to mutate: LeNet-5 and resnet-mini exported by Shrink, fp32.
    static func seedModels() throws -> [[UInt8]] {
        try ["lenet-5", "resnet-mini"].map { name in
            let graph = try ModelZoo.graph(named: name)
            var generator = SeededRandomNumberGenerator(seed: 3)
            let network = try GraphNetwork(graph: graph, generator: &generator)
            return try ONNXExporter().export(ModelFile(graph: graph, parameters: network.parameters)).serializedBytes()
        }
    }
}

/// Imports ONNX bytes and compiles the result with the runtime.
enum ImportedModelCheck {
    static func importAndCompile(_ bytes: [UInt8]) throws -> String {
        let imported = try ONNXImporter().importModel(try ONNXModel(bytes: bytes))
        _ = try ExecutionPlan(graph: imported.graph, tensors: try imported.storedTensors())
        return "imported"
    }
}
