#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Repeated timing of one operation: warm-up calls, then timed samples, with order statistics.
///
/// A sample times `repetitions` back-to-back calls (chosen from the warm-up so that a sample
/// lasts at least `minimumSampleSeconds`), so microsecond-scale operations are not dominated by
/// clock resolution. Both wall-clock time and the calling thread's CPU time are recorded; CPU
/// time excludes periods when the thread was descheduled, which matters on a shared machine.
struct Measurement {
    /// Seconds per call, one entry per sample, wall clock.
    let wallSeconds: [Double]
    /// Seconds per call, one entry per sample, CPU time of the calling thread.
    let threadCPUSeconds: [Double]
    let repetitions: Int

    static func run(warmUp: Int, samples: Int, minimumSampleSeconds: Double, _ operation: () -> Void) -> Measurement {
        var warmUpSeconds = 0.0
        for _ in 0..<max(1, warmUp) {
            let start = Clock.wall()
            operation()
            warmUpSeconds = Clock.wall() - start
        }
        let repetitions = max(1, Int((minimumSampleSeconds / max(warmUpSeconds, 1e-9)).rounded(.up)))
        var wall: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<samples {
            let wallStart = Clock.wall(), cpuStart = Clock.threadCPU()
            for _ in 0..<repetitions { operation() }
            let cpuEnd = Clock.threadCPU(), wallEnd = Clock.wall()
            wall.append((wallEnd - wallStart) / Double(repetitions))
            cpu.append((cpuEnd - cpuStart) / Double(repetitions))
        }
        return Measurement(wallSeconds: wall, threadCPUSeconds: cpu, repetitions: repetitions)
    }
}

/// Percentiles with linear interpolation between order statistics (numpy's default method).
enum Statistics {
    static func percentile(_ values: [Double], _ percent: Double) -> Double {
        precondition(!values.isEmpty, "no samples")
        let sorted = values.sorted()
        let position = percent / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}

/// Monotonic wall clock and per-thread CPU clock, in seconds.
enum Clock {
    static func wall() -> Double { read(CLOCK_MONOTONIC) }
    static func threadCPU() -> Double { read(CLOCK_THREAD_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
