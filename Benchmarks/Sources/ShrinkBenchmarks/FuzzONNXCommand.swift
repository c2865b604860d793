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

    func run() throws {
        try FuzzDriver.run(Target(seeds: try Self.seedModels()), options: fuzzing, replayOutput: replayOutput)
    }

    /// The ONNX reader, importer and runtime compiler as a fuzz target.
    struct Target: FuzzTarget {
        let seeds: [[UInt8]]
        var acceptedLabel: String { "imported" }

        /// A seed model with one to five byte mutations.
        func input(iteration: Int, seed: UInt64) -> [UInt8] {
            var generator = FuzzDriver.generator(iteration: iteration, seed: seed)
            var bytes = seeds[generator.nextIndex(below: seeds.count)]
            for _ in 0...generator.nextIndex(below: 4) { ByteMutation.mutate(&bytes, using: &generator) }
            return bytes
        }

        /// Imported, or refused by the reader (`onnx: <case>`) or the runtime (`runtime: <type>`).
        func outcome(of input: [UInt8]) -> FuzzOutcome {
            do {
                try ImportedModelCheck.importAndCompile(input)
                return .accepted
            } catch let error as ONNXError {
                return .refused("onnx: " + FuzzOutcome.kind(of: error))
            } catch {
                return .refused("runtime: \(type(of: error))")
            }
        }
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
    static func importAndCompile(_ bytes: [UInt8]) throws {
        let imported = try ONNXImporter().importModel(try ONNXModel(bytes: bytes))
        _ = try ExecutionPlan(graph: imported.graph, tensors: try imported.storedTensors())
    }
}
