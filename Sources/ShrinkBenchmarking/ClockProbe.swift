import CShrinkKernels
import ShrinkMeasurement

/// The core's effective clock during a benchmark, from timing a chain of dependent integer
/// additions (one core cycle each; `shrink_dependent_adds`). On a shared or virtual machine the
/// clock a thread gets changes by 10 % and more within seconds (turbo, host load, time given to
/// other guests), which moves every latency with it; measured in the same interleaved rounds as
/// the models, it lets two runs be compared in estimated core cycles (latency × clock) as well as
/// in seconds.
public enum ClockProbe {
    /// Additions per probe operation: about 0.3 ms at 3.5 GHz (a timed run repeats it to reach
    /// the minimum run time like any other target).
    public static let additionsPerOperation: UInt64 = 1 << 20

    /// One probe operation (the chain of `additionsPerOperation` additions).
    public static func operation() {
        let result = shrink_dependent_adds(additionsPerOperation)
        precondition(result == additionsPerOperation, "the dependent-add chain returned \(result)")
    }

    /// The clock figures from the probe's latency summary (seconds per operation): hertz =
    /// additions ÷ seconds, so the p5 of seconds gives the p95 of hertz.
    public static func figures(_ summary: LatencySummary) -> ClockFigures {
        let additions = Double(additionsPerOperation)
        return ClockFigures(medianHertz: additions / summary.medianSeconds, p5Hertz: additions / summary.p95Seconds,
                            p95Hertz: additions / summary.p5Seconds, runs: summary.runs)
    }
}
