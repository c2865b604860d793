/// The outcome of the adaptive timing protocol.
public struct LatencySummary: Codable, Equatable, Sendable {
    /// The number of untimed warm-up runs.
    public var warmUpRuns: Int
    /// The number of timed runs discarded (the first one).
    public var discardedRuns: Int
    /// The number of timed runs kept (the sample size of the statistics below).
    public var runs: Int
    /// Operations each run timed back to back (≥ 1); every figure here is per operation.
    public var iterationsPerRun: Int
    /// The kept run times in seconds per operation (a run's time ÷ `iterationsPerRun`), in
    /// execution order.
    public var samplesSeconds: [Double]
    /// The median run time in seconds.
    public var medianSeconds: Double
    /// The 5th percentile (numpy linear interpolation) in seconds.
    public var p5Seconds: Double
    /// The 95th percentile in seconds.
    public var p95Seconds: Double
    /// The mean run time in seconds.
    public var meanSeconds: Double
    /// The sample standard deviation in seconds.
    public var standardDeviationSeconds: Double
    /// The 95 % distribution-free confidence interval of the median, nil while fewer than six
    /// runs make one impossible.
    public var medianConfidenceInterval: ConfidenceInterval?
    /// The interval's conservative half-width divided by the median (infinity without an
    /// interval).
    public var relativeHalfWidth: Double
    /// The relative half-width the protocol aimed for.
    public var targetRelativeHalfWidth: Double
    /// Whether the target was reached before the run cap.
    public var converged: Bool
    /// The rounds this measurement took part in when it was interleaved with others
    /// (`LatencyMeasurement.runInterleaved`; each round: one untimed run, then up to
    /// `runsPerRound` kept runs); nil for a measurement made on its own (`run`) and in records
    /// written before interleaving existed.
    public var rounds: Int?

    /// Items per second for `itemsPerRun` items (e.g. the batch size) per run, at the median.
    public func throughput(itemsPerRun: Int) -> Double {
        medianSeconds > 0 ? Double(itemsPerRun) / medianSeconds : .infinity
    }

    enum CodingKeys: String, CodingKey {
        case warmUpRuns = "warm_up_runs"
        case discardedRuns = "discarded_runs"
        case runs
        case iterationsPerRun = "iterations_per_run"
        case samplesSeconds = "samples_seconds"
        case medianSeconds = "median_seconds"
        case p5Seconds = "p5_seconds"
        case p95Seconds = "p95_seconds"
        case meanSeconds = "mean_seconds"
        case standardDeviationSeconds = "standard_deviation_seconds"
        case medianConfidenceInterval = "median_confidence_interval"
        case relativeHalfWidth = "relative_half_width"
        case targetRelativeHalfWidth = "target_relative_half_width"
        case converged
        case rounds
    }

    // JSON has no infinity: encode a missing relative half-width as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(warmUpRuns, forKey: .warmUpRuns)
        try container.encode(discardedRuns, forKey: .discardedRuns)
        try container.encode(runs, forKey: .runs)
        try container.encode(iterationsPerRun, forKey: .iterationsPerRun)
        try container.encode(samplesSeconds, forKey: .samplesSeconds)
        try container.encode(medianSeconds, forKey: .medianSeconds)
        try container.encode(p5Seconds, forKey: .p5Seconds)
        try container.encode(p95Seconds, forKey: .p95Seconds)
        try container.encode(meanSeconds, forKey: .meanSeconds)
        try container.encode(standardDeviationSeconds, forKey: .standardDeviationSeconds)
        try container.encode(medianConfidenceInterval, forKey: .medianConfidenceInterval)
        try container.encode(relativeHalfWidth.isFinite ? relativeHalfWidth : nil, forKey: .relativeHalfWidth)
        try container.encode(targetRelativeHalfWidth, forKey: .targetRelativeHalfWidth)
        try container.encode(converged, forKey: .converged)
        try container.encodeIfPresent(rounds, forKey: .rounds)
    }

    /// Decodes a summary (a null relative half-width reads as infinity).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        warmUpRuns = try container.decode(Int.self, forKey: .warmUpRuns)
        discardedRuns = try container.decode(Int.self, forKey: .discardedRuns)
        runs = try container.decode(Int.self, forKey: .runs)
        iterationsPerRun = try container.decodeIfPresent(Int.self, forKey: .iterationsPerRun) ?? 1
        samplesSeconds = try container.decode([Double].self, forKey: .samplesSeconds)
        medianSeconds = try container.decode(Double.self, forKey: .medianSeconds)
        p5Seconds = try container.decode(Double.self, forKey: .p5Seconds)
        p95Seconds = try container.decode(Double.self, forKey: .p95Seconds)
        meanSeconds = try container.decode(Double.self, forKey: .meanSeconds)
        standardDeviationSeconds = try container.decode(Double.self, forKey: .standardDeviationSeconds)
        medianConfidenceInterval = try container.decodeIfPresent(ConfidenceInterval.self, forKey: .medianConfidenceInterval)
        relativeHalfWidth = try container.decodeIfPresent(Double.self, forKey: .relativeHalfWidth) ?? .infinity
        targetRelativeHalfWidth = try container.decode(Double.self, forKey: .targetRelativeHalfWidth)
        converged = try container.decode(Bool.self, forKey: .converged)
        rounds = try container.decodeIfPresent(Int.self, forKey: .rounds)
    }

    /// Summarizes kept run times (seconds per operation; each run timed `iterationsPerRun`
    /// operations; `rounds` when they were taken in interleaved rounds).
    public init(samplesSeconds: [Double], warmUpRuns: Int, discardedRuns: Int,
                targetRelativeHalfWidth: Double, confidenceLevel: Double = 0.95, iterationsPerRun: Int = 1,
                rounds: Int? = nil) throws {
        self.iterationsPerRun = max(1, iterationsPerRun)
        self.rounds = rounds
        let sorted = samplesSeconds.sorted()
        let median = try Statistics.percentile(sorted: sorted, 50)
        let interval = try Statistics.medianConfidenceInterval(samplesSeconds, level: confidenceLevel)
        self.warmUpRuns = warmUpRuns
        self.discardedRuns = discardedRuns
        self.runs = samplesSeconds.count
        self.samplesSeconds = samplesSeconds
        self.medianSeconds = median
        self.p5Seconds = try Statistics.percentile(sorted: sorted, 5)
        self.p95Seconds = try Statistics.percentile(sorted: sorted, 95)
        self.meanSeconds = try Statistics.mean(samplesSeconds)
        self.standardDeviationSeconds = try Statistics.standardDeviation(samplesSeconds)
        self.medianConfidenceInterval = interval
        if let interval {
            let halfWidth = interval.halfWidth(around: median)
            self.relativeHalfWidth = median > 0 ? halfWidth / median : (halfWidth == 0 ? 0 : .infinity)
        } else {
            self.relativeHalfWidth = .infinity
        }
        self.targetRelativeHalfWidth = targetRelativeHalfWidth
        self.converged = relativeHalfWidth <= targetRelativeHalfWidth
    }
}

/// The adaptive latency protocol: when `minimumRunSeconds` > 0, a calibration picks how many
/// operations one run times back to back (`iterationsPerRun`, so that a run lasts at least that
/// long: microsecond operations are otherwise dominated by timer and scheduling noise); then
/// `warmUp` untimed runs, one timed run that is discarded, then timed runs until the 95 %
/// confidence interval of the median (order statistics, see `Statistics.medianConfidenceInterval`)
/// has a half-width ≤ `targetRelativeHalfWidth` × median after at least `minimumRuns` kept runs,
/// or `maximumRuns` kept runs were made. Reported times are per operation.
public enum LatencyMeasurement {
    /// Runs the protocol on `operation`, timing each run with `clock`.
    ///
    /// - Parameters:
    ///   - warmUp: untimed runs before timing (≥ 0).
    ///   - minimumRuns: kept runs before convergence is checked (≥ 1; fewer than 6 runs have no
    ///     95 % interval, so convergence needs at least 6).
    ///   - maximumRuns: the cap on kept runs (≥ `minimumRuns`).
    ///   - targetRelativeHalfWidth: the stopping criterion (default 2 %).
    ///   - minimumRunSeconds: the shortest a timed run may be (0: one operation per run).
    /// - Throws: `MeasurementError.invalidArgument` for inconsistent counts; rethrows
    ///   `operation`'s errors.
    public static func run(
        warmUp: Int, minimumRuns: Int, maximumRuns: Int, targetRelativeHalfWidth: Double = 0.02,
        minimumRunSeconds: Double = 0, clock: any MeasurementClock = MonotonicClock(),
        operation: () throws -> Void
    ) throws -> LatencySummary {
        try validate(warmUp: warmUp, minimumRuns: minimumRuns, maximumRuns: maximumRuns,
                     targetRelativeHalfWidth: targetRelativeHalfWidth, minimumRunSeconds: minimumRunSeconds)
        let iterations = try calibrate(operation, minimumRunSeconds: minimumRunSeconds, clock: clock)
        for _ in 0..<warmUp { for _ in 0..<iterations { try operation() } }
        _ = try time(operation, iterations: iterations, clock: clock) // the first timed run is discarded
        var samples = [Double]()
        samples.reserveCapacity(maximumRuns)
        while samples.count < maximumRuns {
            samples.append(try time(operation, iterations: iterations, clock: clock))
            if samples.count >= minimumRuns, try converged(samples, target: targetRelativeHalfWidth) { break }
        }
        return try LatencySummary(samplesSeconds: samples, warmUpRuns: warmUp, discardedRuns: 1,
                                  targetRelativeHalfWidth: targetRelativeHalfWidth, iterationsPerRun: iterations)
    }

    /// Throws `MeasurementError.invalidArgument` for counts the protocol cannot run with.
    static func validate(warmUp: Int, minimumRuns: Int, maximumRuns: Int, targetRelativeHalfWidth: Double,
                         minimumRunSeconds: Double) throws {
        guard warmUp >= 0 else { throw MeasurementError.invalidArgument(name: "warmUp", reason: "must be ≥ 0, got \(warmUp)") }
        guard minimumRuns >= 1 else {
            throw MeasurementError.invalidArgument(name: "minimumRuns", reason: "must be ≥ 1, got \(minimumRuns)")
        }
        guard maximumRuns >= minimumRuns else {
            throw MeasurementError.invalidArgument(
                name: "maximumRuns", reason: "\(maximumRuns) is below minimumRuns \(minimumRuns)")
        }
        guard targetRelativeHalfWidth >= 0 else {
            throw MeasurementError.invalidArgument(
                name: "targetRelativeHalfWidth", reason: "must be ≥ 0, got \(targetRelativeHalfWidth)")
        }
        guard minimumRunSeconds >= 0, minimumRunSeconds.isFinite else {
            throw MeasurementError.invalidArgument(
                name: "minimumRunSeconds", reason: "must be finite and ≥ 0, got \(minimumRunSeconds)")
        }
    }

    /// Operations per run so that a run lasts at least `minimumRunSeconds`: doubles the count
    /// until one timed batch of operations is that long (1 when the minimum is 0).
    static func calibrate(_ operation: () throws -> Void, minimumRunSeconds: Double,
                          clock: any MeasurementClock) throws -> Int {
        guard minimumRunSeconds > 0 else { return 1 }
        var iterations = 1
        while iterations < 1 << 24 {
            let seconds = try time(operation, iterations: iterations, clock: clock) * Double(iterations)
            if seconds >= minimumRunSeconds { break }
            // Jump close to the target once a measurable time is seen, else double.
            let estimate = seconds > 1e-6 ? Int((minimumRunSeconds / seconds * Double(iterations)).rounded(.up)) : 2 * iterations
            iterations = min(1 << 24, max(2 * iterations, estimate))
        }
        return iterations
    }

    /// Seconds per operation of `iterations` operations timed back to back.
    static func time(_ operation: () throws -> Void, iterations: Int, clock: any MeasurementClock) throws -> Double {
        let start = clock.nanoseconds()
        for _ in 0..<iterations { try operation() }
        let end = clock.nanoseconds()
        return Double(end &- start) / 1e9 / Double(iterations)
    }

    static func converged(_ samples: [Double], target: Double) throws -> Bool {
        guard let interval = try Statistics.medianConfidenceInterval(samples, level: 0.95) else { return false }
        let median = try Statistics.median(samples)
        return interval.halfWidth(around: median) <= target * median
    }
}
