#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output's buffering.
enum StandardOutput {
    /// Makes `stream` line-buffered: each line reaches the pipe or file as soon as it is
    /// printed, so a log of an interrupted run or a batch job shows every line printed so far
    /// (C's default for a stream that is not a terminal is to hold 4 KiB or more). Call once at
    /// program start, before anything is printed; `print` writes through `stdout`.
    static func makeLineBuffered(_ stream: UnsafeMutablePointer<FILE>) {
        setvbuf(stream, nil, _IOLBF, 0)
    }
}
