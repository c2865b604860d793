import ArgumentParser
import ShrinkMeasurement

/// A comma-separated list of batch sizes, e.g. `1,8,64`.
struct BatchSizeList: ExpressibleByArgument, Equatable {
    /// The sizes, in the order given.
    var sizes: [Int]

    init(sizes: [Int]) { self.sizes = sizes }

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Int($0) }
        guard !parts.isEmpty, values.count == parts.count else { return nil }
        sizes = values
    }

    var defaultValueDescription: String { sizes.map(String.init).joined(separator: ",") }
}


/// The measurement protocol options of `shrink bench`.
struct BenchOptions: ParsableArguments {
    @Option(name: .customLong("batch"), help: "Batch sizes whose latency is measured, comma-separated.")
    var batchSizes = BatchSizeList(sizes: [1, 8, 64])

    @Option(name: .customLong("warm-up"), help: "Untimed runs before timing each batch size.")
    var warmUp = 10

    @Option(name: .customLong("min-runs"), help: "Kept timed runs before the stopping rule is checked (at most --max-runs).")
    var minimumRuns = 10

    @Option(name: .customLong("max-runs"), help: "Most kept timed runs per batch size.")
    var maximumRuns = 300

    @Option(name: .customLong("target-half-width"),
            help: "Stop timing once the median's 95 % confidence half-width is at most this fraction of it.")
    var targetHalfWidth = 0.02

    @Option(name: .customLong("min-run-time"),
            help: "Seconds a timed run lasts at least: it times that many inferences back to back (0: one per run).")
    var minimumRunSeconds = 0.01

    @Option(name: .customLong("profile-runs"), help: "Profiled runs at the first batch size for the per-operator shares.")
    var profileRuns = 50

    @Option(name: .customLong("test-limit"), help: "Classify only the first N test samples (default: all).")
    var testLimit: Int?

    @Option(name: .customLong("energy-table"),
            help: "A JSON energy table replacing the default Horowitz 45 nm one (see docs/MEASUREMENT.md).")
    var energyTable: String?

    @Option(name: .customLong("latency-order"),
            help: ArgumentHelp(
                "How the latency of the files and batch sizes is timed: interleaved or sequential.",
                discussion: """
                interleaved (default): every (file, batch size) is timed together in rounds, each round \
                visiting all of them in rotated order, so a slow phase of the machine lasting seconds \
                hits every variant alike instead of one whole measurement; all files stay loaded. \
                sequential: one file and batch size after another, one file loaded at a time (for \
                models too large to hold together).
                """))
    var latencyOrder: LatencyOrder = .interleaved

    @Option(name: .customLong("runs-per-round"),
            help: "Kept timed runs per file and batch size in each interleaved round (after one untimed run).")
    var runsPerRound = 3

    @Flag(name: .customLong("skip-memory"), help: "Do not spawn the memory probe child (peak memory is then not reported).")
    var skipMemory = false

    func validate() throws {
        if batchSizes.sizes.isEmpty { throw ValidationError("--batch needs at least one batch size, e.g. --batch 1,8,64.") }
        if let bad = batchSizes.sizes.first(where: { $0 < 1 }) {
            throw ValidationError("--batch sizes must be at least 1, got \(bad).")
        }
        if Set(batchSizes.sizes).count != batchSizes.sizes.count {
            throw ValidationError("--batch lists a size twice: \(batchSizes.defaultValueDescription).")
        }
        if warmUp < 0 { throw ValidationError("--warm-up must be at least 0, got \(warmUp).") }
        if minimumRuns < 1 { throw ValidationError("--min-runs must be at least 1, got \(minimumRuns).") }
        if maximumRuns < minimumRuns {
            throw ValidationError("--max-runs (\(maximumRuns)) must be at least --min-runs (\(minimumRuns)).")
        }
        if !(minimumRunSeconds >= 0 && minimumRunSeconds <= 10) {
            throw ValidationError("--min-run-time must be between 0 and 10 seconds (e.g. 0.01), got \(minimumRunSeconds).")
        }
        if !(targetHalfWidth > 0 && targetHalfWidth < 1) {
            throw ValidationError("--target-half-width must be a fraction between 0 and 1 (e.g. 0.02), got \(targetHalfWidth).")
        }
        if profileRuns < 1 { throw ValidationError("--profile-runs must be at least 1, got \(profileRuns).") }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be at least 1, got \(testLimit).") }
        if runsPerRound < 1 { throw ValidationError("--runs-per-round must be at least 1, got \(runsPerRound).") }
    }
}

/// `--latency-order interleaved|sequential`; an unknown value is rejected with the choices listed.
extension LatencyOrder: ExpressibleByArgument {}
