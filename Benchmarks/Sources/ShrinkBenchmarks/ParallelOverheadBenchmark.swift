import ArgumentParser
import Dispatch
import ShrinkKernels
#if canImport(Glibc)
import Glibc
#endif

/// `shrink-benchmarks parallel-overhead`: what handing work to a second thread costs.
///
/// Times a 2-chunk `Parallelism.forEachChunk` (the persistent worker pool) against the same
/// loop run with `DispatchQueue.concurrentPerform` (what `forEachChunk` used before the pool)
/// and against one thread, for empty chunks and for chunks of a fixed amount of work each.
/// "back-to-back" calls follow each other immediately (workers still spinning); "after idle"
/// calls are each preceded by a pause longer than the pool's spin window, so the worker has
/// gone to sleep and must be woken (timed call by call).
struct ParallelOverheadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parallel-overhead",
        abstract: "Hand-off cost of a 2-chunk parallel loop: worker pool vs Dispatch vs one thread (median µs)."
    )

    @Option(help: "Timed samples per case (median reported).")
    var samples: Int = 31

    @Option(help: "Minimum duration of one back-to-back sample in seconds.")
    var sampleSeconds: Double = 0.01

    @Option(help: "Work per chunk in the loaded cases, in dependent xor-shift-multiply steps (about 5 cycles each).")
    var work: Int = 2000

    @Option(help: "Idle pause before each 'after idle' call, in microseconds (longer than the 100 µs spin window).")
    var idleMicroseconds: Int = 500

    /// How a 2-chunk loop is run.
    enum Runner: String, CaseIterable {
        case pool = "forEachChunk (pool)"
        case dispatch = "concurrentPerform"
        case serial = "one thread"

        func run(_ body: (Range<Int>) -> Void) {
            switch self {
            case .pool:
                Parallelism.forEachChunk(count: 2, threadCount: 2, body)
            case .dispatch:
                DispatchQueue.concurrentPerform(iterations: 2) { chunk in body(chunk..<(chunk + 1)) }
            case .serial:
                Parallelism.forEachChunk(count: 2, threadCount: 1, body)
            }
        }
    }

    func run() throws {
        print("2 chunks per call; median of \(samples) samples, µs per call (\(work) dependent steps per loaded chunk)")
        print("runner                 empty       loaded      empty after idle   loaded after idle")
        let work = self.work
        // The chunk body: nothing, or one chain per index (results kept in separate cache lines).
        var sink = [UInt64](repeating: 0, count: 16)
        try sink.withUnsafeMutableBufferPointer { sink in
            let sinkBase = sink.baseAddress!
            for runner in Runner.allCases {
                let empty = Measurement.run(warmUp: 200, samples: samples, minimumSampleSeconds: sampleSeconds) {
                    runner.run { _ in }
                }
                let loaded = Measurement.run(warmUp: 200, samples: samples, minimumSampleSeconds: sampleSeconds) {
                    runner.run { range in for index in range { sinkBase[8 * index] = Self.chain(sinkBase[8 * index], work) } }
                }
                let emptyIdle = try timedAfterIdle { runner.run { _ in } }
                let loadedIdle = try timedAfterIdle {
                    runner.run { range in for index in range { sinkBase[8 * index] = Self.chain(sinkBase[8 * index], work) } }
                }
                func median(_ values: [Double]) -> String {
                    format(Statistics.percentile(values, 50) * 1e6, 3)
                }
                print(pad(runner.rawValue, 23) + pad(median(empty.wallSeconds), 12) + pad(median(loaded.wallSeconds), 12)
                      + pad(median(emptyIdle), 19) + median(loadedIdle))
            }
        }
        if sink.reduce(0, &+) == 42 { print("") }  // keeps the chains observable
    }

    /// `steps` dependent xor-shift-multiply steps from `value` (a latency-bound chain, about 5
    /// cycles a step, that the compiler cannot fold the way it folds affine recurrences).
    static func chain(_ value: UInt64, _ steps: Int) -> UInt64 {
        var state = value | 1
        for _ in 0..<steps { state = (state ^ (state >> 29)) &* 0xbf58476d1ce4e5b9 }
        return state
    }

    /// Seconds of single calls, each after sleeping `idleMicroseconds`.
    func timedAfterIdle(_ operation: () -> Void) throws -> [Double] {
        var seconds = [Double]()
        for _ in 0..<samples {
            var pause = timespec(tv_sec: 0, tv_nsec: idleMicroseconds * 1000)
            nanosleep(&pause, nil)
            let start = Clock.wall()
            operation()
            seconds.append(Clock.wall() - start)
        }
        return seconds
    }

    func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    func format(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return "\((value * scale).rounded() / scale)"
    }
}
