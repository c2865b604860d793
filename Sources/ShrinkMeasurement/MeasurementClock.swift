#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A source of monotonic time stamps for timing (injectable, so the timing protocol can be
/// tested with a scripted clock).
public protocol MeasurementClock {
    /// The current time in nanoseconds from an arbitrary fixed origin; never decreases.
    func nanoseconds() -> UInt64
}

/// The system's monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`).
public struct MonotonicClock: MeasurementClock, Sendable {
    /// Creates the clock.
    public init() {}

    /// The current `CLOCK_MONOTONIC` time in nanoseconds.
    public func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
