import ArgumentParser
import Foundation
import ShrinkData
import ShrinkTensor

/// `shrink-benchmarks fuzz-idx`: a long-running fuzz loop for the IDX reader and the gzip
/// inflater behind it.
///
/// Seeds are small valid IDX files built in memory: MNIST-like images (u8, 3×5×5) and labels
/// (u8, 7), and one array of every other element type (i8, i16, i32, f32, f64). An input is one
/// of three kinds, a third each: a seed with byte mutations (bit flips, overwrites, plausible
/// integers, truncations, insertions, deletions, duplicated chunks), read as a plain file; a
/// mutated seed gzip-compressed, so the mutations reach the header and data checks of the
/// streaming gzip path; or a gzip-compressed seed (one member, or two concatenated) whose
/// compressed bytes are mutated, for the inflater.
///
/// Every input goes through `IDX.parse` (the loader's reader, plain or gzip) and, when it
/// starts with the gzip magic, also through the MNIST loader's path (`Gzip.decompress`, then
/// `IDX.parse` of the raw bytes). Each must return an array or throw an `IDXError` (or a
/// `GzipError`); a parsed plain file must re-encode to its own bytes, and both gzip paths must
/// agree. A crash ends the process (replay with `--replay N`).
struct FuzzIDXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-idx",
        abstract: "Fuzz the IDX reader (plain and gzip) with mutated and truncated files.")

    @OptionGroup var fuzzing: FuzzOptions

    @Option(help: "Where --replay writes the mutated file.")
    var replayOutput: String = "fuzz-input.idx"

    func run() throws {
        try FuzzDriver.run(try Target(), options: fuzzing, replayOutput: replayOutput)
    }

    /// The IDX reader as a fuzz target.
    struct Target: FuzzTarget {
        /// Plain IDX files.
        let seeds: [[UInt8]]
        /// Gzip-compressed seeds: each seed as one member, and images and labels as two members.
        let compressedSeeds: [[UInt8]]
        /// What the MNIST loader allows after decompression.
        static let maximumDecompressedByteCount = 64 << 20

        var acceptedLabel: String { "parsed" }

        init() throws {
            var generator = SeededRandomNumberGenerator(seed: 11)
            func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) } }
            let images = IDXArray(shape: [3, 5, 5], elements: .uint8(bytes(75)))
            let labels = IDXArray(shape: [7], elements: .uint8((0..<7).map { _ in UInt8(generator.nextIndex(below: 10)) }))
            let others: [IDXArray] = [
                IDXArray(shape: [2, 3], elements: .int8(bytes(6).map { Int8(bitPattern: $0) })),
                IDXArray(shape: [2, 2], elements: .int16([-1, 0, 300, Int16.min])),
                IDXArray(shape: [3], elements: .int32([Int32.max, -7, 0])),
                IDXArray(shape: [2, 1, 2], elements: .float32([0.5, -1, .infinity, 3e-38])),
                IDXArray(shape: [2], elements: .float64([1e300, -0.0])),
            ]
            seeds = ([images, labels] + others).map { $0.encoded() }
            compressedSeeds = try seeds.map { try Gzip.compress($0) }
                + [try Gzip.compress(seeds[0], level: 0), try Gzip.compress(seeds[0]) + Gzip.compress(seeds[1])]
        }

        /// A mutated plain file, a compressed mutated file, or mutated compressed bytes.
        func input(iteration: Int, seed: UInt64) throws -> [UInt8] {
            var generator = FuzzDriver.generator(iteration: iteration, seed: seed)
            switch generator.nextIndex(below: 3) {
            case 0:
                var bytes = seeds[generator.nextIndex(below: seeds.count)]
                for _ in 0...generator.nextIndex(below: 4) { ByteMutation.mutate(&bytes, using: &generator) }
                return bytes
            case 1:
                var bytes = seeds[generator.nextIndex(below: seeds.count)]
                for _ in 0...generator.nextIndex(below: 4) { ByteMutation.mutate(&bytes, using: &generator) }
                return try Gzip.compress(bytes, level: generator.nextIndex(below: 10))
            default:
                var bytes = compressedSeeds[generator.nextIndex(below: compressedSeeds.count)]
                for _ in 0...generator.nextIndex(below: 2) { ByteMutation.mutate(&bytes, using: &generator) }
                return bytes
            }
        }

        func outcome(of input: [UInt8]) -> FuzzOutcome {
            let streamed: IDXArray
            do {
                streamed = try IDX.parse(input)
            } catch let error as IDXError {
                if case let .decompression(_, gzipError) = error {
                    return agreeing(input, streamedError: "decompression: " + FuzzOutcome.kind(of: gzipError))
                }
                return agreeing(input, streamedError: FuzzOutcome.kind(of: error))
            } catch {
                return .inconsistent("IDX.parse threw a non-IDXError: \(error)")
            }
            if !Gzip.isGzip(input) {
                return streamed.encoded() == input ? .accepted : .inconsistent("a parsed file does not re-encode to its bytes")
            }
            // The MNIST loader's path must give the same array.
            do {
                let raw = try Gzip.decompress(input, maximumOutputBytes: Self.maximumDecompressedByteCount)
                return try IDX.parse(raw).encoded() == streamed.encoded()
                    ? .accepted : .inconsistent("the streaming and the whole-file gzip paths gave different arrays")
            } catch {
                return .inconsistent("IDX.parse read the gzip file but Gzip.decompress + IDX.parse threw \(error)")
            }
        }

        /// A refusal by `IDX.parse`; for gzip input, the whole-file path (`Gzip.decompress`, then
        /// `IDX.parse`) must refuse too, with a typed error.
        private func agreeing(_ input: [UInt8], streamedError: String) -> FuzzOutcome {
            guard Gzip.isGzip(input) else { return .refused(streamedError) }
            do {
                let raw = try Gzip.decompress(input, maximumOutputBytes: Self.maximumDecompressedByteCount)
                _ = try IDX.parse(raw)
                return .inconsistent("IDX.parse refused the gzip file (\(streamedError)) but Gzip.decompress + IDX.parse read it")
            } catch is GzipError, is IDXError {
                return .refused(streamedError)
            } catch {
                return .inconsistent("Gzip.decompress + IDX.parse threw an untyped error: \(error)")
            }
        }
    }
}
