import Dispatch

/// How many threads kernels and layers may use, and a parallel loop over chunks of work.
///
/// Shrink targets small machines: the default is the number of active processors, and work is
/// only split when each thread gets enough of it (`minimumChunk`) to pay for the hand-off.
public enum Parallelism {
    /// The most threads any one operation uses. Set once at start-up (the CLI's `--threads`).
    nonisolated(unsafe) public static var threadCount: Int = max(1, ProcessInfoShim.activeProcessorCount)

    /// Splits `0..<count` into at most `threadCount` contiguous ranges of at least
    /// `minimumChunk` items and runs `body` on each, in parallel when there is more than one.
    public static func forEachChunk(
        count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        forEachChunk(count: count, minimumChunk: minimumChunk, threadCount: threadCount, body)
    }

    /// Like `forEachChunk(count:minimumChunk:_:)`, with at most `threadCount` threads instead of
    /// the global setting (for callers that choose their own thread count).
    public static func forEachChunk(
        count: Int, minimumChunk: Int = 1, threadCount: Int, _ body: (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunks = max(1, min(threadCount, count / max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            body(start..<end)
        }
    }
}

/// The processor count without importing Foundation into the kernel module.
enum ProcessInfoShim {
    static var activeProcessorCount: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }
}
#if canImport(Glibc)
import Glibc
#endif
