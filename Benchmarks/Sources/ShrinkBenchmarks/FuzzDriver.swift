import ArgumentParser
import Foundation
import ShrinkTensor

/// The options every fuzz loop shares.
struct FuzzOptions: ParsableArguments {
    @Option(help: "Inputs to try.")
    var iterations: Int = 100_000

    @Option(help: "Seed: iteration i of a seed always produces the same input.")
    var seed: UInt64 = 1

    @Option(help: "The first iteration: a long run split over processes (0..<N and N..<2N) tries the same inputs as one.")
    var firstIteration: Int = 0

    @Option(help: "Report inputs that take longer than this (a hang); any such input fails the run.")
    var slowMilliseconds: Double = 250

    @Option(help: "Run only iteration N, write its input to --replay-output and time it alone.")
    var replay: Int?

    @Option(help: "Print a progress line every this many inputs.")
    var progressEvery: Int = 10_000

    func validate() throws {
        if iterations < 1 { throw ValidationError("--iterations must be at least 1, got \(iterations).") }
        if progressEvery < 1 { throw ValidationError("--progress-every must be at least 1, got \(progressEvery).") }
        if let replay, replay < 0 { throw ValidationError("--replay must not be negative, got \(replay).") }
        if firstIteration < 0 { throw ValidationError("--first-iteration must not be negative, got \(firstIteration).") }
    }
}

/// What a parser did with one fuzz input.
enum FuzzOutcome: Equatable, CustomStringConvertible {
    /// The input parsed (and passed the target's consistency checks).
    case accepted
    /// The input was refused with a typed error; the text is the error's kind (its case).
    case refused(String)
    /// The parser broke one of its own promises (an untyped error, a parsed value that does not
    /// round-trip); the run stops at the first.
    case inconsistent(String)

    var description: String {
        switch self {
        case .accepted: "accepted"
        case let .refused(kind): "refused: \(kind)"
        case let .inconsistent(message): "inconsistent: \(message)"
        }
    }

    /// The case name of an error enum value (`truncatedHeader` for `.truncatedHeader(file: …)`),
    /// so that refusals group by kind rather than by their varying associated values.
    static func kind(of error: any Error) -> String {
        Mirror(reflecting: error).children.first?.label ?? String(describing: error)
    }
}

/// One parser under fuzzing: how to make the input of an iteration and what the parser does
/// with it. `FuzzDriver` runs the loop, so every fuzz command reports the same way.
protocol FuzzTarget {
    associatedtype Input

    /// What an accepted input is called in progress lines ("decoded", "imported", "parsed").
    var acceptedLabel: String { get }

    /// The mutated input of one iteration, determined by the seed and the iteration alone.
    func input(iteration: Int, seed: UInt64) throws -> Input

    /// Runs the parser on `input`. Must not crash, whatever the input.
    func outcome(of input: Input) -> FuzzOutcome

    /// Writes `input` as a file at `path` (to reproduce it with the real command); returns a
    /// line describing what was written.
    func writeReplay(_ input: Input, to path: String) throws -> String
}

extension FuzzTarget where Input == [UInt8] {
    func writeReplay(_ input: [UInt8], to path: String) throws -> String {
        try Data(input).write(to: URL(fileURLWithPath: path))
        return "\(input.count) bytes written to \(path)"
    }
}

/// The fuzz loop shared by the `fuzz-*` commands: runs `--iterations` inputs, prints a progress
/// line every `--progress-every` inputs (accepted and refused counts, the slowest input with its
/// iteration, peak resident memory from `getrusage`, elapsed seconds), every input slower than
/// `--slow-milliseconds`, and at the end the refusals by error kind and a one-line summary.
///
/// A crash ends the process without a summary, so a finished run is the evidence of none (a
/// crash names no input: replay the iterations after the last progress line with `--replay N`).
/// The run fails (exit status 1) when an input was slow or inconsistent.
enum FuzzDriver {
    static func run<Target: FuzzTarget>(_ target: Target, options: FuzzOptions, replayOutput: String) throws {
        // Line-buffered even into a log file, so the last progress line before a crash is there.
        setvbuf(stdout, nil, _IOLBF, 0)
        if let replay = options.replay {
            try self.replay(target, iteration: replay, seed: options.seed, output: replayOutput)
            return
        }
        var accepted = 0, slowCount = 0, slowest = (milliseconds: 0.0, iteration: 0)
        var kinds = [String: Int]()
        let start = Date()
        let iterations = options.firstIteration..<(options.firstIteration + options.iterations)
        for iteration in iterations {
            let done = iteration - iterations.lowerBound + 1
            let input = try target.input(iteration: iteration, seed: options.seed)
            let began = Date()
            let outcome = target.outcome(of: input)
            let milliseconds = Date().timeIntervalSince(began) * 1000
            if milliseconds > slowest.milliseconds { slowest = (milliseconds, iteration) }
            if milliseconds > options.slowMilliseconds {
                slowCount += 1
                print("slow: iteration \(iteration) took \(String(format: "%.0f", milliseconds)) ms (replay with --replay \(iteration))")
            }
            switch outcome {
            case .accepted: accepted += 1
            case let .refused(kind): kinds[kind, default: 0] += 1
            case let .inconsistent(message):
                print("INCONSISTENT: iteration \(iteration): \(message) (replay with --replay \(iteration))")
                throw ExitCode.failure
            }
            if done % options.progressEvery == 0 || done == options.iterations {
                print(String(format: "%d inputs, %d \(target.acceptedLabel), %d refused, slowest %.1f ms (iteration %d), peak memory %.0f MiB, %.0f s",
                             done, accepted, done - accepted, slowest.milliseconds,
                             slowest.iteration, peakResidentMebibytes(), Date().timeIntervalSince(start)))
            }
        }
        print("refusals by error kind:")
        for (kind, count) in kinds.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) { print("  \(count)  \(kind)") }
        print(String(format: "summary: %d inputs (seed %llu, iterations %d..<%d), %d \(target.acceptedLabel), %d refused, 0 crashes, "
                         + "%d slower than %.0f ms, slowest %.1f ms (iteration %d), peak memory %.0f MiB, %.0f s",
                     options.iterations, options.seed, iterations.lowerBound, iterations.upperBound, accepted, options.iterations - accepted, slowCount,
                     options.slowMilliseconds, slowest.milliseconds, slowest.iteration, peakResidentMebibytes(),
                     Date().timeIntervalSince(start)))
        if slowCount > 0 { throw ExitCode.failure }
    }

    /// Writes the input of one iteration and times the parser on it alone: the first call, then
    /// the median of five more (a slow input in a long run can be a scheduling stall).
    static func replay<Target: FuzzTarget>(_ target: Target, iteration: Int, seed: UInt64, output: String) throws {
        let input = try target.input(iteration: iteration, seed: seed)
        print("iteration \(iteration): \(try target.writeReplay(input, to: output))")
        var times = [Double]()
        var outcome = FuzzOutcome.accepted
        for _ in 0..<6 {
            let began = Date()
            outcome = target.outcome(of: input)
            times.append(Date().timeIntervalSince(began) * 1000)
        }
        let median = times.dropFirst().sorted()[2]
        print(outcome)
        print(String(format: "alone: first call %.2f ms, median of the next 5 %.2f ms", times[0], median))
    }

    /// The process's peak resident set size so far (`getrusage`, `ru_maxrss` in KiB on Linux).
    static func peakResidentMebibytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// The random number generator of one iteration: depends on the seed and the iteration only.
    static func generator(iteration: Int, seed: UInt64) -> SeededRandomNumberGenerator {
        SeededRandomNumberGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(iteration))
    }
}

/// Byte-level mutations shared by the fuzz loops: bit flips, byte overwrites, truncations,
/// insertions, deletions, duplicated chunks and plausible little-endian integers in 4- or
/// 8-byte fields (counts, offsets, lengths).
enum ByteMutation {
    static func mutate(_ bytes: inout [UInt8], using generator: inout SeededRandomNumberGenerator) {
        guard !bytes.isEmpty else { bytes = [UInt8(truncatingIfNeeded: generator.next())]; return }
        let position = generator.nextIndex(below: bytes.count)
        switch generator.nextIndex(below: 7) {
        case 0: bytes[position] ^= UInt8(1) << UInt8(generator.nextIndex(below: 8))
        case 1: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
        case 2: bytes.removeSubrange(position...)
        case 3: bytes.insert(contentsOf: (0..<(1 + generator.nextIndex(below: 16))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, at: position)
        case 4: bytes.removeSubrange(position..<min(bytes.count, position + 1 + generator.nextIndex(below: 64)))
        case 5:
            let length = min(bytes.count - position, 1 + generator.nextIndex(below: 128))
            bytes.insert(contentsOf: bytes[position..<(position + length)], at: generator.nextIndex(below: bytes.count))
        default:
            let values: [UInt64] = [0, 1, 63, 64, 65, 0xFFFF_FFFF, UInt64(bytes.count), UInt64.max, 1 << 40]
            let value = values[generator.nextIndex(below: values.count)]
            for byte in 0..<(generator.nextIndex(below: 2) == 0 ? 4 : 8) where position + byte < bytes.count {
                bytes[position + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))
            }
        }
    }
}
