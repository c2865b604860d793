import ArgumentParser
import Foundation
import ShrinkEncodings
import ShrinkFormats
import ShrinkNN
import ShrinkTensor

/// `shrink-benchmarks fuzz-model-file`: a long-running fuzz loop for the model-file reader.
///
/// It mutates valid files (a dense one and one with coded tensors: sparse palettized with
/// Huffman-coded streams, fp16, affine int8) with bit flips, byte overwrites, truncations,
/// insertions, deletions and duplicated chunks, and in half of the cases re-seals the file length and every CRC-32
/// from the byte layout in docs/FORMAT.md, so mutations also reach the rules behind the
/// checksums. Every input must decode to a model (which then re-encodes and decodes again) or
/// throw a `ModelFileError`; a crash ends the process (replay its iteration with `--replay N`),
/// and an input that takes longer than `--slow-milliseconds` is reported. The unit tests run
/// the same idea over ~17,000 inputs; this loop is for longer runs.
struct FuzzModelFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-model-file",
        abstract: "Fuzz the model-file reader with mutated and truncated files.")

    @OptionGroup var fuzzing: FuzzOptions

    @Option(help: "Where --replay writes the mutated file.")
    var replayOutput: String = "fuzz-input.shrink"

    func run() throws {
        try FuzzDriver.run(Target(seeds: try Self.seedFiles()), options: fuzzing, replayOutput: replayOutput)
    }

    /// The model-file reader as a fuzz target.
    struct Target: FuzzTarget {
        let seeds: [[UInt8]]
        var acceptedLabel: String { "decoded" }

        func input(iteration: Int, seed: UInt64) -> [UInt8] {
            FuzzModelFileCommand.input(iteration: iteration, seed: seed, seeds: seeds)
        }

        func outcome(of input: [UInt8]) -> FuzzOutcome {
            FuzzModelFileCommand.outcome(of: input)
        }
    }

    /// Decodes `input`; a decoded model must survive encode → decode.
    static func outcome(of input: [UInt8]) -> FuzzOutcome {
        do {
            let model = try ModelFile.decode(input)
            do {
                _ = try ModelFile.decode(model.encoded())
            } catch {
                return .inconsistent("a decoded model did not re-encode and decode: \(error)")
            }
            return .accepted
        } catch let error as ModelFileError {
            // Group by the error's case (its associated values differ from input to input).
            return .refused(FuzzOutcome.kind(of: error))
        } catch {
            return .inconsistent("a non-ModelFileError was thrown: \(error)")
        }
    }

    /// The mutated input of one iteration, determined by the seed and the iteration alone.
    static func input(iteration: Int, seed: UInt64, seeds: [[UInt8]]) -> [UInt8] {
        var generator = FuzzDriver.generator(iteration: iteration, seed: seed)
        var bytes = seeds[generator.nextIndex(below: seeds.count)]
        for _ in 0...generator.nextIndex(below: 4) { ByteMutation.mutate(&bytes, using: &generator) }
        if generator.nextIndex(below: 2) == 0 { reseal(&bytes) }
        return bytes
    }

    /// Restates the file length (preamble bytes 16..<24) and recomputes every section CRC and the
    /// header CRC (docs/FORMAT.md: preamble bytes 0..<28 and
    /// the section table; each 32-byte table entry holds offset at 8, length at 16, CRC at 28),
    /// where the table's values stay inside the file.
    static func reseal(_ bytes: inout [UInt8]) {
        guard bytes.count >= 32 else { return }
        let sectionCount = Int(readUInt32(bytes, at: 24))
        let tableEnd = 32 + 32 * sectionCount
        guard sectionCount <= 64, tableEnd <= bytes.count else { return }
        for byte in 0..<8 { bytes[16 + byte] = UInt8(truncatingIfNeeded: UInt64(bytes.count) >> (8 * UInt64(byte))) }
        for section in 0..<sectionCount {
            let entry = 32 + 32 * section
            let offset = readUInt64(bytes, at: entry + 8), length = readUInt64(bytes, at: entry + 16)
            guard offset <= UInt64(bytes.count), length <= UInt64(bytes.count) - offset else { continue }
            let crc = CRC32.checksum(bytes[Int(offset)..<Int(offset + length)])
            writeUInt32(crc, into: &bytes, at: entry + 28)
        }
        let header = CRC32.checksum(bytes[0..<28] + bytes[32..<tableEnd])
        writeUInt32(header, into: &bytes, at: 28)
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    static func writeUInt32(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
        for byte in 0..<4 { bytes[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(byte))) }
    }

    /// Valid files to mutate: one with dense fp32 tensors, one with coded tensors of each kind.
    static func seedFiles() throws -> [[UInt8]] {
        var builder = GraphBuilder(name: "fuzz-mlp", inputShape: [1, 4, 4])
        var x = builder.add("flatten", FlattenOperator(), builder.input)
        x = builder.add("fc1", LinearOperator(inputFeatures: 16, outputFeatures: 8), x)
        x = builder.add("relu1", ReLUOperator(), x)
        builder.add("fc2", LinearOperator(inputFeatures: 8, outputFeatures: 3), x)
        let graph = builder.finish()
        var generator = SeededRandomNumberGenerator(seed: 7)
        let network = try GraphNetwork(graph: graph, generator: &generator)
        let dense = try ModelFile(graph: graph, parameters: network.parameters).encoded()

        // fc1.weight: sparse palettized (index 0 = pruned zero), Huffman-coded streams.
        let indices = (0..<128).map { _ in UInt16(generator.nextIndex(below: 4) == 0 ? 1 + generator.nextIndex(below: 7) : 0) }
        let palette = try CodedTensor.palette(indices: indices, centroids: [0, -0.5, -0.25, -0.1, 0.1, 0.25, 0.5, 0.75], bits: 3)
        let weight1 = try StoredTensor(name: "fc1.weight", shape: [8, 16],
                                       encoding: StoredEncoding(coded: palette, layout: .sparse(gapBits: 5), huffmanCoding: true))
        let bias1 = try StoredTensor(name: "fc1.bias", shape: [8], encoding: StoredEncoding(
            coded: .float16((0..<8).map { _ in generator.nextUniform() - 0.5 })))
        let weightValues = (0..<24).map { _ in generator.nextUniform() * 2 - 1 }
        let affine = try CodedTensor.affine(
            quantizing: weightValues, bits: 8, isSigned: true, scales: [1 / 127, 1 / 100, 1 / 90], zeroPoints: [0, 0, 0])
        let weight2 = try StoredTensor(name: "fc2.weight", shape: [3, 8], encoding: StoredEncoding(coded: affine))
        let bias2 = StoredTensor(name: "fc2.bias", value: Tensor(shape: [3], scalars: [0.1, -0.2, 0.3]))
        let coded = try ModelFile(graph: graph, tensors: [weight1, bias1, weight2, bias2]).encoded()
        return [dense, coded]
    }
}

/// CRC-32 (ISO-HDLC: reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF), written
/// from docs/FORMAT.md so the harness also checks that the spec is implementable as stated.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
        return value
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
