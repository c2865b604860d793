import CShrinkKernels

/// How many threads kernels and layers may use, and a parallel loop over chunks of work.
///
/// Shrink targets small machines: the default is the number of active processors, and work is
/// only split when each thread gets enough of it (`minimumChunk`) to pay for the hand-off.
public enum Parallelism {
    /// The most threads any one operation uses: the calling thread's override from
    /// `withThreadCount(_:_:)` if it has one, else the process-wide setting. Setting it changes
    /// the process-wide value (done once at start-up, e.g. by the CLI's `--threads`).
    public static var threadCount: Int {
        get {
            let override = Int(shrink_thread_count_override())
            return override > 0 ? override : processThreadCount
        }
        set { processThreadCount = max(1, newValue) }
    }

    nonisolated(unsafe) private static var processThreadCount: Int = max(1, ProcessInfoShim.activeProcessorCount)

    /// Runs `body` with `threadCount` set to `count` for work started on the calling thread only,
    /// then restores the previous override. Concurrent callers (tests) do not see each other's.
    public static func withThreadCount<Result>(_ count: Int, _ body: () throws -> Result) rethrows -> Result {
        precondition(count >= 1, "thread count must be at least 1")
        let previous = shrink_thread_count_override()
        shrink_set_thread_count_override(Int32(count))
        defer { shrink_set_thread_count_override(previous) }
        return try body()
    }

    /// Splits `0..<count` into at most `threadCount` contiguous ranges of at least
    /// `minimumChunk` items and runs `body` on each, in parallel when there is more than one.
    public static func forEachChunk(
        count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        forEachChunk(count: count, minimumChunk: minimumChunk, threadCount: threadCount, body)
    }

    /// Splits `0..<count` into exactly `min(chunkCount, count)` contiguous ranges, whatever the
    /// thread count, and runs `body` on each; up to `threadCount` threads each take a contiguous run
    /// of chunks. For work whose per-chunk results are reduced afterwards (in chunk order): the
    /// chunks, and so every sum, are the same at 1 thread and at 8, so results do not depend on
    /// the thread count.
    public static func forEachFixedChunk(
        count: Int, chunkCount: Int, threadCount: Int = Parallelism.threadCount, _ body: (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunks = max(1, min(chunkCount, count))
        func chunk(_ index: Int) -> Range<Int> { (count * index / chunks)..<(count * (index + 1) / chunks) }
        forEachChunk(count: chunks, threadCount: threadCount) { indices in
            for index in indices { body(chunk(index)) }
        }
    }

    /// Like `forEachChunk(count:minimumChunk:_:)`, with at most `threadCount` threads instead of
    /// the global setting (for callers that choose their own thread count).
    ///
    /// Chunks run on the persistent worker pool of `shrink_parallel_for` (the calling thread runs
    /// the first one); worker threads adopt the caller's forced CPU path. When the pool is busy
    /// (another thread's work, or a nested call from inside a chunk) the chunks run one after
    /// another on the calling thread, so nested and concurrent calls complete without waiting.
    public static func forEachChunk(
        count: Int, minimumChunk: Int = 1, threadCount: Int, _ body: (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunks = max(1, min(threadCount, count / max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            // Worker threads run the caller's kernels on the caller's (possibly forced) CPU path.
            var job = ChunkJob(count: count, chunks: chunks, forcedPath: shrink_cpu_forced_path_raw(), body: body)
            withUnsafeMutablePointer(to: &job) { pointer in
                _ = shrink_parallel_for(Int32(chunks), ChunkJob.trampoline, UnsafeMutableRawPointer(pointer))
            }
        }
    }
}

/// One `forEachChunk` call as seen by the C worker pool: the context its trampoline receives.
private struct ChunkJob {
    let count: Int
    let chunks: Int
    let forcedPath: Int32
    let body: (Range<Int>) -> Void

    /// Runs chunk `chunk` of the job at `context` (a `ChunkJob` on the caller's stack, alive until
    /// `shrink_parallel_for` returns).
    static let trampoline: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Void = { context, chunk in
        let job = context!.assumingMemoryBound(to: ChunkJob.self)
        let count = job.pointee.count, chunks = job.pointee.chunks, index = Int(chunk)
        let range = (count * index / chunks)..<(count * (index + 1) / chunks)
        CPUPath.adoptingForcedPath(job.pointee.forcedPath) { job.pointee.body(range) }
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
