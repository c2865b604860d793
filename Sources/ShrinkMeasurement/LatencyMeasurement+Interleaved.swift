extension LatencyMeasurement {
    /// Where the interleaved protocol is, reported at the start of each round.
    public struct RoundProgress: Equatable, Sendable {
        /// The round about to run (1-based).
        public var round: Int
        /// The most rounds the protocol can take: ⌈maximumRuns ÷ runsPerRound⌉ (it stops earlier
        /// once every target has converged).
        public var maximumRounds: Int
        /// The targets still being measured, in the order this round visits them.
        public var activeTargets: [Int]
        /// All targets, measured or finished.
        public var targetCount: Int

        /// Creates a progress report.
        public init(round: Int, maximumRounds: Int, activeTargets: [Int], targetCount: Int) {
            self.round = round
            self.maximumRounds = maximumRounds
            self.activeTargets = activeTargets
            self.targetCount = targetCount
        }
    }

    /// The interleaved protocol over several operations (targets), e.g. several models at several
    /// batch sizes. A machine whose speed changes in phases lasting seconds (other tenants,
    /// frequency, memory management) hits a target measured on its own as a whole, so two
    /// invocations can disagree far beyond their own confidence intervals; interleaving spreads
    /// every target's runs over the whole measurement, so such phases hit all of them alike.
    ///
    /// 1. Per target, in order: calibrate its run length (as `run`), then `warmUp` untimed runs
    ///    and one timed run that is discarded.
    /// 2. Rounds: round r (0-based) visits the targets still being measured starting at target
    ///    r mod T and wrapping around (so no target is always first after another one). A visit
    ///    makes one untimed run (it re-warms caches, and re-sizes buffers, after the switch from
    ///    another target), then `runsPerRound` kept timed runs (fewer when `maximumRuns` is
    ///    reached).
    /// 3. Every target takes part in at least ⌈minimumRuns ÷ runsPerRound⌉ rounds, so its runs
    ///    span the whole measurement; after that, a target drops out at the end of a visit once
    ///    its median's 95 % interval has a half-width ≤ `targetRelativeHalfWidth` × median (as
    ///    `run`), or once it has `maximumRuns` kept runs. Rounds continue for the others.
    ///
    /// Each summary is over the target's pooled kept runs, in execution order, with `rounds`
    /// set. Reported times are per operation.
    ///
    /// - Parameters:
    ///   - targets: the operations to measure (at least one).
    ///   - warmUp, minimumRuns, maximumRuns, targetRelativeHalfWidth, minimumRunSeconds: as `run`.
    ///   - runsPerRound: kept runs per visit (≥ 1).
    ///   - clock: times the runs.
    ///   - around: called with a target's index around every stretch of its runs after
    ///     calibration: once around its warm-up and discarded run, then around each visit. All its
    ///     stretches together run (warmUpRuns + discardedRuns + rounds + runs) × iterationsPerRun
    ///     operations, so a caller can attribute energy read around them to the target. It must
    ///     call the stretch exactly once.
    ///   - roundStarted: called before each round.
    /// - Returns: one summary per target, in target order.
    /// - Throws: `MeasurementError.invalidArgument` for no targets or inconsistent counts;
    ///   rethrows the operations' errors.
    public static func runInterleaved(
        targets: [() throws -> Void], warmUp: Int, minimumRuns: Int, maximumRuns: Int, runsPerRound: Int = 3,
        targetRelativeHalfWidth: Double = 0.02, minimumRunSeconds: Double = 0,
        clock: any MeasurementClock = MonotonicClock(),
        around: (_ target: Int, _ stretch: () throws -> Void) throws -> Void = { _, stretch in try stretch() },
        roundStarted: (RoundProgress) -> Void = { _ in }
    ) throws -> [LatencySummary] {
        guard !targets.isEmpty else {
            throw MeasurementError.invalidArgument(name: "targets", reason: "needs at least one operation to measure")
        }
        guard runsPerRound >= 1 else {
            throw MeasurementError.invalidArgument(name: "runsPerRound", reason: "must be ≥ 1, got \(runsPerRound)")
        }
        try validate(warmUp: warmUp, minimumRuns: minimumRuns, maximumRuns: maximumRuns,
                     targetRelativeHalfWidth: targetRelativeHalfWidth, minimumRunSeconds: minimumRunSeconds)
        let count = targets.count
        let minimumRounds = (minimumRuns + runsPerRound - 1) / runsPerRound
        let maximumRounds = (maximumRuns + runsPerRound - 1) / runsPerRound

        var iterations = [Int]()
        for (index, operation) in targets.enumerated() {
            let perRun = try calibrate(operation, minimumRunSeconds: minimumRunSeconds, clock: clock)
            iterations.append(perRun)
            try around(index) {
                for _ in 0..<warmUp { for _ in 0..<perRun { try operation() } }
                _ = try time(operation, iterations: perRun, clock: clock) // the first timed run is discarded
            }
        }

        var samples = [[Double]](repeating: [], count: count)
        var rounds = [Int](repeating: 0, count: count)
        var active = [Bool](repeating: true, count: count)
        var round = 0
        while active.contains(true) {
            let order = (0..<count).map { (round + $0) % count }.filter { active[$0] }
            roundStarted(RoundProgress(round: round + 1, maximumRounds: maximumRounds, activeTargets: order,
                                       targetCount: count))
            for target in order {
                let operation = targets[target], perRun = iterations[target]
                let runs = min(runsPerRound, maximumRuns - samples[target].count)
                var times = [Double]()
                times.reserveCapacity(runs)
                try around(target) {
                    for _ in 0..<perRun { try operation() } // untimed: re-warms after the switch
                    for _ in 0..<runs { times.append(try time(operation, iterations: perRun, clock: clock)) }
                }
                guard times.count == runs else {
                    throw MeasurementError.invalidArgument(name: "around", reason: "did not run target \(target)'s runs exactly once")
                }
                samples[target].append(contentsOf: times)
                rounds[target] += 1
                if samples[target].count >= maximumRuns {
                    active[target] = false
                } else if rounds[target] >= minimumRounds, samples[target].count >= minimumRuns,
                          try converged(samples[target], target: targetRelativeHalfWidth) {
                    active[target] = false
                }
            }
            round += 1
        }
        return try (0..<count).map { target in
            try LatencySummary(samplesSeconds: samples[target], warmUpRuns: warmUp, discardedRuns: 1,
                               targetRelativeHalfWidth: targetRelativeHalfWidth, iterationsPerRun: iterations[target],
                               rounds: rounds[target])
        }
    }
}
