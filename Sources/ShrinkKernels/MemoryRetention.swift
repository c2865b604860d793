import CShrinkKernels

/// How the process's allocator treats freed memory.
public enum MemoryRetention {
    /// Keeps freed memory in the process for reuse (`shrink_retain_freed_memory`): training
    /// frees and allocates tensors of the same sizes every step, and the C library's defaults
    /// returned their pages to the system and faulted fresh zeroed ones in each time. Call once
    /// at the start of a training process; the resident size then stays at its peak. Returns
    /// whether the C library took the settings.
    @discardableResult
    public static func retainFreedMemory() -> Bool {
        shrink_retain_freed_memory() == 0
    }
}
