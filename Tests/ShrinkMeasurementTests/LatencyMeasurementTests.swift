import Foundation
import Testing
@testable import ShrinkMeasurement

/// A clock that only moves when the fake operation says so.
final class ScriptedClock: MeasurementClock {
    var now: UInt64 = 1_000
    func nanoseconds() -> UInt64 { now }
}

/// An operation whose n-th call takes `durations[n]` nanoseconds of scripted time: the last
/// duration repeats, or with `cycling` the durations start over.
final class ScriptedOperation {
    let clock: ScriptedClock
    let durations: [UInt64]
    let cycling: Bool
    private(set) var calls = 0

    init(clock: ScriptedClock, durations: [UInt64], cycling: Bool = false) {
        self.clock = clock
        self.durations = durations
        self.cycling = cycling
    }

    func callAsFunction() {
        clock.now += durations[cycling ? calls % durations.count : min(calls, durations.count - 1)]
        calls += 1
    }
}

@Suite struct LatencyMeasurementTests {
    @Test func constantTimesConvergeAtTheMinimum() throws {
        let clock = ScriptedClock()
        let operation = ScriptedOperation(clock: clock, durations: [1_000_000])
        let summary = try LatencyMeasurement.run(warmUp: 3, minimumRuns: 10, maximumRuns: 100, clock: clock) { operation() }
        #expect(operation.calls == 3 + 1 + 10)
        #expect(summary.runs == 10 && summary.samplesSeconds.count == 10)
        #expect(summary.warmUpRuns == 3 && summary.discardedRuns == 1)
        #expect(summary.converged)
        #expect(summary.medianSeconds == 0.001 && summary.p5Seconds == 0.001 && summary.p95Seconds == 0.001)
        #expect(summary.relativeHalfWidth == 0)
        #expect(approximatelyEqual(summary.throughput(itemsPerRun: 32), 32_000, tolerance: 1e-6))
    }

    @Test func shortOperationsAreTimedInRunsOfAtLeastTheMinimumLength() throws {
        // 3 µs per call, runs of at least 1 ms: calibration times one call (3 µs, measurable),
        // jumps to ⌈1 ms / 3 µs⌉ = 334 calls, and checks that 334 calls last ≥ 1 ms.
        let clock = ScriptedClock()
        let operation = ScriptedOperation(clock: clock, durations: [3_000])
        let summary = try LatencyMeasurement.run(warmUp: 2, minimumRuns: 6, maximumRuns: 6, minimumRunSeconds: 0.001,
                                                 clock: clock) { operation() }
        #expect(summary.iterationsPerRun == 334)
        #expect(summary.samplesSeconds.allSatisfy { abs($0 - 3e-6) < 1e-15 })
        #expect(summary.runs == 6 && summary.medianSeconds * 1e6 > 2.999 && summary.medianSeconds * 1e6 < 3.001)
        let calibrationCalls = 1 + 334
        #expect(operation.calls == calibrationCalls + (2 + 1 + 6) * 334)
        // Per-operation times; the JSON says how many operations each run timed.
        let data = try JSONEncoder().encode(summary)
        #expect(String(decoding: data, as: UTF8.self).contains("\"iterations_per_run\":334"))
        #expect(try JSONDecoder().decode(LatencySummary.self, from: data) == summary)
        #expect(throws: MeasurementError.self) {
            try LatencyMeasurement.run(warmUp: 0, minimumRuns: 1, maximumRuns: 1, minimumRunSeconds: -1) {}
        }
    }

    @Test func warmUpAndFirstTimedRunAreNotKept() throws {
        let clock = ScriptedClock()
        // Two warm-ups of 100 ms, a discarded run of 50 ms, then 2 ms runs.
        let operation = ScriptedOperation(clock: clock, durations: [100_000_000, 100_000_000, 50_000_000, 2_000_000])
        let summary = try LatencyMeasurement.run(warmUp: 2, minimumRuns: 6, maximumRuns: 6, clock: clock) { operation() }
        #expect(summary.samplesSeconds == [Double](repeating: 0.002, count: 6))
        #expect(summary.meanSeconds == 0.002)
    }

    @Test func stopsWhenTheMedianIntervalIsNarrowEnough() throws {
        // Kept runs: 100, 100, 100, 100, 100, 200, 100, 100, 100 µs ...
        // n = 6, 7, 8 use l = 1, so the interval [100, 200] is 100 % of the median wide;
        // n = 9 allows l = 2 (2·10/512 ≤ 0.05): [x(2), x(8)] = [100, 100], half-width 0.
        let clock = ScriptedClock()
        let kept: [UInt64] = [100, 100, 100, 100, 100, 200, 100].map { $0 * 1000 }
        let operation = ScriptedOperation(clock: clock, durations: [999_000] + kept)
        let summary = try LatencyMeasurement.run(warmUp: 0, minimumRuns: 6, maximumRuns: 50, clock: clock) { operation() }
        #expect(summary.runs == 9)
        #expect(summary.converged)
        #expect(summary.medianSeconds == 0.0001)
        let interval = try #require(summary.medianConfidenceInterval)
        #expect(interval.lower == 0.0001 && interval.upper == 0.0001)
    }

    @Test func hitsTheCapWhenTimesKeepVarying() throws {
        let clock = ScriptedClock()
        let alternating = (0..<40).map { UInt64($0 % 2 == 0 ? 1_000_000 : 2_000_000) }
        let operation = ScriptedOperation(clock: clock, durations: alternating)
        let summary = try LatencyMeasurement.run(warmUp: 1, minimumRuns: 6, maximumRuns: 20, clock: clock) { operation() }
        #expect(summary.runs == 20)
        #expect(!summary.converged)
        #expect(summary.relativeHalfWidth > 0.02)
        #expect(summary.p5Seconds == 0.001 && summary.p95Seconds == 0.002)
    }

    @Test func fewerThanSixRunsNeverConverge() throws {
        let clock = ScriptedClock()
        let operation = ScriptedOperation(clock: clock, durations: [1_000])
        let summary = try LatencyMeasurement.run(warmUp: 0, minimumRuns: 1, maximumRuns: 5, clock: clock) { operation() }
        #expect(summary.runs == 5 && !summary.converged)
        #expect(summary.medianConfidenceInterval == nil)
        #expect(summary.relativeHalfWidth == .infinity)
        // JSON has no infinity: it is written as null and read back as infinity.
        let json = try JSONEncoder().encode(summary)
        #expect(String(decoding: json, as: UTF8.self).contains("\"relative_half_width\":null"))
        #expect(try JSONDecoder().decode(LatencySummary.self, from: json) == summary)
    }

    @Test func invalidSettingsAndOperationErrors() {
        struct Failure: Error, Equatable {}
        #expect(throws: MeasurementError.self) {
            try LatencyMeasurement.run(warmUp: 0, minimumRuns: 10, maximumRuns: 5) {}
        }
        #expect(throws: MeasurementError.self) {
            try LatencyMeasurement.run(warmUp: -1, minimumRuns: 1, maximumRuns: 5) {}
        }
        #expect(throws: Failure()) {
            try LatencyMeasurement.run(warmUp: 0, minimumRuns: 1, maximumRuns: 5) { throw Failure() }
        }
    }

    @Test func monotonicClockDoesNotGoBackwards() {
        let clock = MonotonicClock()
        let first = clock.nanoseconds()
        #expect(clock.nanoseconds() >= first)
    }
}
