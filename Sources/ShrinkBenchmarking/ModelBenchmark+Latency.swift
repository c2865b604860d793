import ShrinkData
import ShrinkMeasurement
import ShrinkRuntime

/// RAPL energy per inferred sample over a batch size's timed runs, or why there is none.
struct MeasuredInferenceEnergy {
    var joulesPerSample: Double?
    var unavailableReason: String?
}

extension ModelBenchmark {
    /// `batch` samples of input ([batch] + sample shape): the test samples repeated in order, or
    /// zeros without a test set.
    static func inputs(batch: Int, sampleShape: [Int], testSet: LabeledDataset?) -> [Float] {
        let sampleSize = sampleShape.reduce(1, *)
        guard let testSet, testSet.count > 0 else { return [Float](repeating: 0, count: batch * sampleSize) }
        var values = [Float]()
        values.reserveCapacity(batch * sampleSize)
        testSet.inputs.withUnsafeBufferPointer { all in
            for index in 0..<batch {
                let start = (index % testSet.count) * sampleSize
                values.append(contentsOf: all[start..<(start + sampleSize)])
            }
        }
        return values
    }

    /// The per-target protocol (`LatencyMeasurement.run`) at each batch size in turn, calling
    /// `starting` before each; the measured energy per sample comes from the smallest batch size
    /// (closest to single-sample inference).
    func sequentialLatency(plan: ExecutionPlan, testSet: LabeledDataset?,
                           starting: (Int) -> Void) throws -> ([BatchLatency], MeasuredInferenceEnergy) {
        var latencies = [BatchLatency]()
        var measured = MeasuredInferenceEnergy(joulesPerSample: nil, unavailableReason: "not measured")
        let smallestBatch = configuration.batchSizes.min()!
        for batch in configuration.batchSizes {
            starting(batch)
            let (summary, energy) = try latency(plan: plan, batch: batch, testSet: testSet)
            latencies.append(BatchLatency(batchSize: batch, latency: summary))
            if batch == smallestBatch { measured = energy }
        }
        return (latencies, measured)
    }

    /// The latency protocol at one batch size, with RAPL package energy over all its runs
    /// (warm-up, discarded and kept) divided by the samples they inferred.
    func latency(plan: ExecutionPlan, batch: Int, testSet: LabeledDataset?) throws -> (LatencySummary, MeasuredInferenceEnergy) {
        // 64-byte aligned copies: where malloc happens to put an array must not change timings.
        let input = AlignedFloats(Self.inputs(batch: batch, sampleShape: plan.inputShape, testSet: testSet))
        let output = AlignedFloats(count: batch * plan.outputShape.reduce(1, *))
        let reader = RAPLReader(root: configuration.raplRoot)
        var summary: LatencySummary? = nil
        let energy = try input.withBuffer { source in
            try output.withMutableBuffer { target in
                try reader.measure {
                    summary = try LatencyMeasurement.run(
                        warmUp: configuration.warmUpRuns, minimumRuns: configuration.minimumRuns,
                        maximumRuns: configuration.maximumRuns,
                        targetRelativeHalfWidth: configuration.targetRelativeHalfWidth,
                        minimumRunSeconds: configuration.minimumRunSeconds) {
                        try plan.run(input: source, batch: batch, output: target)
                    }
                }
            }
        }
        let result = summary!
        let measured = energy.joules.map {
            MeasuredInferenceEnergy(joulesPerSample: $0 / Double(Self.operations(result) * batch), unavailableReason: nil)
        } ?? MeasuredInferenceEnergy(joulesPerSample: nil, unavailableReason: energy.reason ?? "RAPL unavailable")
        return (result, measured)
    }

    /// Every (plan, batch size) target timed together by `LatencyMeasurement.runInterleaved`
    /// (targets in plan order, batch sizes in configuration order), with `roundStarted` called
    /// before each round. Returns per plan its latencies and the RAPL energy per sample of its
    /// smallest batch size, summed over that target's stretches of runs (warm-up, discarded,
    /// untimed re-warm and kept runs) and divided by the samples they inferred. The clock probe
    /// (`ClockProbe`) is one more target of the same rounds: its clock gives each latency's
    /// estimated cycles.
    func interleavedLatency(plans: [ExecutionPlan], testSet: LabeledDataset?,
                            roundStarted: (LatencyMeasurement.RoundProgress) -> Void)
        throws -> ([[BatchLatency]], [MeasuredInferenceEnergy], ClockFigures) {
        let batchSizes = configuration.batchSizes
        let smallestBatch = batchSizes.min()!
        var buffers = [AlignedFloats]() // keeps every target's input and output alive while timed
        var operations = [() throws -> Void]()
        var measuresEnergy = [Bool]()
        for plan in plans {
            for batch in batchSizes {
                // 64-byte aligned copies: where malloc happens to put an array must not change timings.
                let input = AlignedFloats(Self.inputs(batch: batch, sampleShape: plan.inputShape, testSet: testSet))
                let output = AlignedFloats(count: batch * plan.outputShape.reduce(1, *))
                buffers += [input, output]
                let source = input.buffer, target = output.mutableBuffer
                operations.append { try plan.run(input: source, batch: batch, output: target) }
                measuresEnergy.append(batch == smallestBatch)
            }
        }
        operations.append(ClockProbe.operation)
        measuresEnergy.append(false)
        let reader = RAPLReader(root: configuration.raplRoot)
        var joules = [Double](repeating: 0, count: operations.count)
        var failures = [String?](repeating: reader.available ? nil : (reader.availability.reason ?? "RAPL unavailable"),
                                 count: operations.count)
        let summaries = try withExtendedLifetime(buffers) {
            try LatencyMeasurement.runInterleaved(
                targets: operations, warmUp: configuration.warmUpRuns, minimumRuns: configuration.minimumRuns,
                maximumRuns: configuration.maximumRuns, runsPerRound: configuration.runsPerRound,
                targetRelativeHalfWidth: configuration.targetRelativeHalfWidth,
                minimumRunSeconds: configuration.minimumRunSeconds,
                around: { target, stretch in
                    guard measuresEnergy[target], failures[target] == nil else { return try stretch() }
                    let energy = try reader.measure(stretch)
                    if let value = energy.joules { joules[target] += value } else {
                        failures[target] = energy.reason ?? "cannot read the counters"
                    }
                },
                roundStarted: roundStarted)
        }
        let clock = ClockProbe.figures(summaries[summaries.count - 1])
        var latencies = [[BatchLatency]](), measured = [MeasuredInferenceEnergy]()
        for planIndex in plans.indices {
            let first = planIndex * batchSizes.count
            latencies.append(batchSizes.indices.map {
                BatchLatency(batchSize: batchSizes[$0], latency: summaries[first + $0], clock: clock)
            })
            let target = first + batchSizes.firstIndex(of: smallestBatch)!
            if let failure = failures[target] {
                measured.append(MeasuredInferenceEnergy(joulesPerSample: nil, unavailableReason: failure))
            } else {
                let samples = Self.operations(summaries[target]) * smallestBatch
                measured.append(MeasuredInferenceEnergy(joulesPerSample: joules[target] / Double(samples), unavailableReason: nil))
            }
        }
        return (latencies, measured, clock)
    }

    /// The clock probe alone with the per-target protocol (for the sequential order).
    func clockFigures() throws -> ClockFigures {
        ClockProbe.figures(try LatencyMeasurement.run(
            warmUp: configuration.warmUpRuns, minimumRuns: configuration.minimumRuns,
            maximumRuns: configuration.maximumRuns, targetRelativeHalfWidth: configuration.targetRelativeHalfWidth,
            minimumRunSeconds: configuration.minimumRunSeconds, operation: ClockProbe.operation))
    }

    /// Operations a summary's protocol ran after calibration: warm-up, discarded, untimed
    /// re-warm (one per round) and kept runs, each of `iterationsPerRun` operations.
    static func operations(_ summary: LatencySummary) -> Int {
        (summary.warmUpRuns + summary.discardedRuns + (summary.rounds ?? 0) + summary.runs) * summary.iterationsPerRun
    }

    /// Per-operator time at `batch`: `profileRuns` profiled runs, each into a fresh profile; a
    /// kind's time per run is the median over the runs (robust to a run that was preempted),
    /// its share that median over the sum of all kinds' medians. Largest share first.
    func operatorShares(plan: ExecutionPlan, batch: Int, testSet: LabeledDataset?) throws -> [OperatorShare] {
        let input = Self.inputs(batch: batch, sampleShape: plan.inputShape, testSet: testSet)
        var output = [Float](repeating: 0, count: batch * plan.outputShape.reduce(1, *))
        var profiles = [OperatorProfile]()
        let runs = configuration.profileRuns
        try input.withUnsafeBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { target in
                for _ in 0..<runs {
                    var profile: OperatorProfile? = OperatorProfile()
                    try plan.run(input: source, batch: batch, output: target, profile: &profile)
                    profiles.append(profile ?? OperatorProfile())
                }
            }
        }
        return try Self.shares(profiles)
    }

    /// Converts per-run profiles into shares: per kind, calls per run (mean) and the median
    /// seconds per run (a run without the kind counts 0); largest share first (ties by kind).
    static func shares(_ profiles: [OperatorProfile]) throws -> [OperatorShare] {
        guard !profiles.isEmpty else { return [] }
        var kinds = [String]()
        for profile in profiles { for entry in profile.entries where !kinds.contains(entry.kind) { kinds.append(entry.kind) } }
        var rows = [(kind: String, calls: Double, seconds: Double)]()
        for kind in kinds {
            let entries = profiles.map { $0.entries.first { $0.kind == kind } }
            let calls = Double(entries.reduce(0) { $0 + ($1?.calls ?? 0) }) / Double(profiles.count)
            rows.append((kind, calls, try Statistics.median(entries.map { $0?.seconds ?? 0 })))
        }
        let total = rows.reduce(0) { $0 + $1.seconds }
        return rows.map {
            OperatorShare(kind: $0.kind, callsPerRun: $0.calls, secondsPerRun: $0.seconds,
                          share: total > 0 ? $0.seconds / total : 0)
        }.sorted { $0.share != $1.share ? $0.share > $1.share : $0.kind < $1.kind }
    }
}

/// A 64-byte aligned array of floats for timed runs (Swift arrays are only 16-byte aligned, so
/// their cache-line offset, and with it vector-load timings, changes from process to process).
final class AlignedFloats {
    private let base: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        base = UnsafeMutableRawPointer.allocate(byteCount: 4 * max(1, count), alignment: 64)
            .bindMemory(to: Float.self, capacity: max(1, count))
        base.initialize(repeating: 0, count: max(1, count))
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { if let source = $0.baseAddress { base.update(from: source, count: values.count) } }
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// The floats; valid while this object lives.
    var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: base, count: count) }

    /// The floats, writable; valid while this object lives.
    var mutableBuffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    func withBuffer<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    func withMutableBuffer<Result>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try body(UnsafeMutableBufferPointer(start: base, count: count))
    }
}
