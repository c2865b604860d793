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

    /// The latency protocol at one batch size, with RAPL package energy over all its runs
    /// (warm-up, discarded and kept) divided by the samples they inferred.
    func latency(plan: ExecutionPlan, batch: Int, testSet: LabeledDataset?) throws -> (LatencySummary, MeasuredInferenceEnergy) {
        let input = Self.inputs(batch: batch, sampleShape: plan.inputShape, testSet: testSet)
        var output = [Float](repeating: 0, count: batch * plan.outputShape.reduce(1, *))
        let reader = RAPLReader(root: configuration.raplRoot)
        var summary: LatencySummary? = nil
        let energy = try input.withUnsafeBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { target in
                try reader.measure {
                    summary = try LatencyMeasurement.run(
                        warmUp: configuration.warmUpRuns, minimumRuns: configuration.minimumRuns,
                        maximumRuns: configuration.maximumRuns,
                        targetRelativeHalfWidth: configuration.targetRelativeHalfWidth) {
                        try plan.run(input: source, batch: batch, output: target)
                    }
                }
            }
        }
        let result = summary!
        let runs = result.warmUpRuns + result.discardedRuns + result.runs
        let measured = energy.joules.map {
            MeasuredInferenceEnergy(joulesPerSample: $0 / Double(runs * batch), unavailableReason: nil)
        } ?? MeasuredInferenceEnergy(joulesPerSample: nil, unavailableReason: energy.reason ?? "RAPL unavailable")
        return (result, measured)
    }

    /// Per-operator time over `profileRuns` profiled runs at `batch`, largest share first.
    func operatorShares(plan: ExecutionPlan, batch: Int, testSet: LabeledDataset?) throws -> [OperatorShare] {
        let input = Self.inputs(batch: batch, sampleShape: plan.inputShape, testSet: testSet)
        var output = [Float](repeating: 0, count: batch * plan.outputShape.reduce(1, *))
        var profile: OperatorProfile? = OperatorProfile()
        let runs = configuration.profileRuns
        try input.withUnsafeBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { target in
                for _ in 0..<runs { try plan.run(input: source, batch: batch, output: target, profile: &profile) }
            }
        }
        return Self.shares(profile ?? OperatorProfile(), runs: runs)
    }

    /// Converts a profile of `runs` runs into shares, largest first (ties by kind).
    static func shares(_ profile: OperatorProfile, runs: Int) -> [OperatorShare] {
        let total = profile.totalSeconds
        return profile.entries.map {
            OperatorShare(kind: $0.kind, callsPerRun: Double($0.calls) / Double(runs),
                          secondsPerRun: $0.seconds / Double(runs), share: total > 0 ? $0.seconds / total : 0)
        }.sorted { $0.share != $1.share ? $0.share > $1.share : $0.kind < $1.kind }
    }
}
