import ArgumentParser
import ShrinkKernels

/// `--threads`, shared by every command that computes.
struct ComputeOptions: ParsableArguments {
    @Option(help: "The most threads one operation may use (default: all processors).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads).")
        }
    }

    /// Applies the setting process-wide; call once before computing.
    func apply() {
        if let threads { Parallelism.threadCount = threads }
    }

    /// `apply()`, and keeps freed memory for reuse (`MemoryRetention`), for commands that train:
    /// their steps free and re-allocate the same tensor sizes over and over.
    func applyForTraining() {
        apply()
        MemoryRetention.retainFreedMemory()
    }
}
