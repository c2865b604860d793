import Foundation
import Testing
@testable import ShrinkMeasurement

@Suite struct InterleavedLatencyMeasurementTests {
    @Test func roundsVisitTheTargetsInRotatedOrder() throws {
        // Constant times converge as soon as allowed: after ⌈12 / 3⌉ = 4 rounds.
        let clock = ScriptedClock()
        let operations = (0..<3).map { _ in ScriptedOperation(clock: clock, durations: [1_000_000]) }
        var stretches = [Int](), rounds = [LatencyMeasurement.RoundProgress]()
        let summaries = try LatencyMeasurement.runInterleaved(
            targets: operations.map { operation in { operation() } }, warmUp: 2, minimumRuns: 12, maximumRuns: 100,
            runsPerRound: 3, clock: clock,
            around: { target, stretch in stretches.append(target); try stretch() },
            roundStarted: { rounds.append($0) })
        // The preparation stretches in target order, then round r starts at target r mod 3.
        #expect(stretches == [0, 1, 2] + [0, 1, 2] + [1, 2, 0] + [2, 0, 1] + [0, 1, 2])
        #expect(rounds.map(\.round) == [1, 2, 3, 4])
        #expect(rounds.map(\.activeTargets) == [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 1, 2]])
        #expect(rounds.allSatisfy { $0.maximumRounds == 34 && $0.targetCount == 3 })
        for (summary, operation) in zip(summaries, operations) {
            #expect(summary.rounds == 4 && summary.runs == 12 && summary.converged)
            #expect(summary.warmUpRuns == 2 && summary.discardedRuns == 1 && summary.iterationsPerRun == 1)
            #expect(summary.samplesSeconds == [Double](repeating: 0.001, count: 12))
            // Warm-up, discarded run, one untimed run per round, kept runs.
            #expect(operation.calls == 2 + 1 + 4 + 12)
        }
    }

    @Test func everyTargetTakesPartInTheMinimumRounds() throws {
        // On its own this target would stop after 6 runs (the minimum); interleaved with runs of 4
        // per round it stays for ⌈6 / 4⌉ = 2 rounds, 8 runs.
        let clock = ScriptedClock()
        let operation = ScriptedOperation(clock: clock, durations: [2_000])
        let alone = try LatencyMeasurement.run(warmUp: 0, minimumRuns: 6, maximumRuns: 50, clock: clock) { operation() }
        #expect(alone.runs == 6)
        let summaries = try LatencyMeasurement.runInterleaved(
            targets: [{ operation() }], warmUp: 0, minimumRuns: 6, maximumRuns: 50, runsPerRound: 4, clock: clock)
        #expect(summaries.count == 1)
        #expect(summaries[0].rounds == 2 && summaries[0].runs == 8 && summaries[0].converged)
    }

    @Test func convergedTargetsDropOutWhileOthersContinueToTheCap() throws {
        let clock = ScriptedClock()
        // Target 0: a discarded run of 999 µs, then per round one untimed run of 500 µs and three
        // kept runs. Kept: 100 100 200 | 100 200 100 | 100 100 100 | 100 100 100 µs. With 6 or 9
        // runs the median's interval still reaches 200 µs; with 12 it is [x(3), x(10)] = [100, 100].
        let visits: [[UInt64]] = [[100, 100, 200], [100, 200, 100], [100, 100, 100], [100, 100, 100]]
        let converging = ScriptedOperation(clock: clock, durations: [999_000] + visits.flatMap { [500_000] + $0.map { $0 * 1000 } } + [100_000])
        // Target 1 alternates 1 and 2 ms and never converges.
        let alternating = ScriptedOperation(clock: clock, durations: [1_000_000, 2_000_000], cycling: true)
        var active = [[Int]]()
        let summaries = try LatencyMeasurement.runInterleaved(
            targets: [{ converging() }, { alternating() }], warmUp: 0, minimumRuns: 6, maximumRuns: 30,
            runsPerRound: 3, clock: clock, roundStarted: { active.append($0.activeTargets) })
        #expect(summaries[0].rounds == 4 && summaries[0].runs == 12 && summaries[0].converged)
        #expect(summaries[0].samplesSeconds == visits.flatMap { $0.map { Double($0 * 1000) / 1e9 } })
        // The untimed runs (500 µs) and the discarded run are never kept.
        #expect(!summaries[0].samplesSeconds.contains(0.0005) && !summaries[0].samplesSeconds.contains(0.000999))
        #expect(summaries[1].rounds == 10 && summaries[1].runs == 30 && !summaries[1].converged)
        #expect(active == [[0, 1], [1, 0], [0, 1], [1, 0]] + [[Int]](repeating: [1], count: 6))
        #expect(alternating.calls == 1 + 10 + 30)
    }

    @Test func theRunCapEndsTheLastVisitEarly() throws {
        // 10 runs at 3 per round: 3 + 3 + 3 + 1, four untimed runs.
        let clock = ScriptedClock()
        let alternating = ScriptedOperation(clock: clock, durations: [1_000_000, 3_000_000], cycling: true)
        let summaries = try LatencyMeasurement.runInterleaved(
            targets: [{ alternating() }], warmUp: 1, minimumRuns: 6, maximumRuns: 10, runsPerRound: 3, clock: clock)
        #expect(summaries[0].runs == 10 && summaries[0].rounds == 4 && !summaries[0].converged)
        #expect(alternating.calls == 1 + 1 + 4 + 10)
    }

    @Test func longRunsAndTheEnergyHookCoverTheDocumentedOperations() throws {
        // 3 µs per call in runs of ≥ 1 ms: 334 calls per run, untimed runs included.
        let clock = ScriptedClock()
        let first = ScriptedOperation(clock: clock, durations: [3_000])
        let second = ScriptedOperation(clock: clock, durations: [3_000])
        var insideStretches = [0, 0]
        let summaries = try LatencyMeasurement.runInterleaved(
            targets: [{ first() }, { second() }], warmUp: 2, minimumRuns: 6, maximumRuns: 20, runsPerRound: 2,
            minimumRunSeconds: 0.001, clock: clock,
            around: { target, stretch in
                let before = [first.calls, second.calls][target]
                try stretch()
                insideStretches[target] += [first.calls, second.calls][target] - before
            })
        for (index, summary) in summaries.enumerated() {
            #expect(summary.iterationsPerRun == 334 && summary.rounds == 3 && summary.runs == 6)
            #expect(summary.samplesSeconds.allSatisfy { abs($0 - 3e-6) < 1e-15 })
            let documented = (summary.warmUpRuns + summary.discardedRuns + summary.rounds! + summary.runs) * 334
            #expect(insideStretches[index] == documented)
        }
        #expect(first.calls == 1 + 334 + insideStretches[0]) // calibration happens outside the stretches
    }

    @Test func invalidArgumentsAndErrorsAreReported() {
        struct Failure: Error, Equatable {}
        let noTargets = #expect(throws: MeasurementError.self) {
            try LatencyMeasurement.runInterleaved(targets: [], warmUp: 0, minimumRuns: 1, maximumRuns: 5)
        }
        #expect(noTargets?.description.contains("targets") == true)
        let noRuns = #expect(throws: MeasurementError.self) {
            try LatencyMeasurement.runInterleaved(targets: [{}], warmUp: 0, minimumRuns: 1, maximumRuns: 5, runsPerRound: 0)
        }
        #expect(noRuns?.description.contains("runsPerRound") == true)
        #expect(throws: MeasurementError.self) {
            try LatencyMeasurement.runInterleaved(targets: [{}], warmUp: -1, minimumRuns: 1, maximumRuns: 5)
        }
        #expect(throws: MeasurementError.self) {
            try LatencyMeasurement.runInterleaved(targets: [{}], warmUp: 0, minimumRuns: 10, maximumRuns: 5)
        }
        // A hook that skips the runs is an error, not an endless loop.
        #expect(throws: MeasurementError.self) {
            try LatencyMeasurement.runInterleaved(targets: [{}], warmUp: 0, minimumRuns: 1, maximumRuns: 5,
                                                  around: { _, _ in })
        }
        #expect(throws: Failure()) {
            try LatencyMeasurement.runInterleaved(targets: [{}, { throw Failure() }], warmUp: 0, minimumRuns: 1, maximumRuns: 5)
        }
    }

    @Test func roundsRoundTripThroughJSONAndOldSummariesStillDecode() throws {
        let summary = try LatencySummary(samplesSeconds: [1e-3, 1.1e-3, 0.9e-3], warmUpRuns: 2, discardedRuns: 1,
                                         targetRelativeHalfWidth: 0.02, iterationsPerRun: 5, rounds: 1)
        let data = try JSONEncoder().encode(summary)
        #expect(String(decoding: data, as: UTF8.self).contains("\"rounds\":1"))
        #expect(try JSONDecoder().decode(LatencySummary.self, from: data) == summary)

        // Summaries measured on their own leave the field out, as records written before it existed.
        var alone = summary
        alone.rounds = nil
        #expect(!String(decoding: try JSONEncoder().encode(alone), as: UTF8.self).contains("rounds"))
        let old = """
            {"warm_up_runs": 10, "discarded_runs": 1, "runs": 6, "iterations_per_run": 3,
             "samples_seconds": [1, 1, 1, 1, 1, 1], "median_seconds": 1, "p5_seconds": 1, "p95_seconds": 1,
             "mean_seconds": 1, "standard_deviation_seconds": 0, "median_confidence_interval": null,
             "relative_half_width": null, "target_relative_half_width": 0.02, "converged": false}
            """
        let decoded = try JSONDecoder().decode(LatencySummary.self, from: Data(old.utf8))
        #expect(decoded.rounds == nil && decoded.runs == 6 && decoded.iterationsPerRun == 3)
    }

    @Test func settingsRecordTheLatencyOrderAndOldSettingsStillDecode() throws {
        let settings = BenchmarkSettings(dataset: "mnist", testSamples: 10, batchSizes: [1, 8], threads: 1, warmUpRuns: 10,
                                         maximumRuns: 300, targetRelativeHalfWidth: 0.02, minimumRunSeconds: 0.01,
                                         latencyOrder: .interleaved, runsPerRound: 3)
        let text = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        #expect(text.contains("\"latency_order\":\"interleaved\"") && text.contains("\"runs_per_round\":3"))
        #expect(try JSONDecoder().decode(BenchmarkSettings.self, from: Data(text.utf8)) == settings)
        let old = """
            {"dataset": "mnist", "test_samples": 10, "batch_sizes": [1], "threads": 1, "warm_up_runs": 10,
             "maximum_runs": 300, "target_relative_half_width": 0.02}
            """
        let decoded = try JSONDecoder().decode(BenchmarkSettings.self, from: Data(old.utf8))
        #expect(decoded.latencyOrder == nil && decoded.runsPerRound == nil && decoded.minimumRunSeconds == nil)
        #expect(LatencyOrder(rawValue: "sequential") == .sequential && LatencyOrder.allCases.count == 2)
    }
}
