#if canImport(Glibc)
import Glibc
#endif

/// A 64-byte aligned, immutable-after-packing byte buffer holding weights laid out for a kernel.
/// Shared by value types (copy-on-write is never needed: packing writes once, at load time).
///
/// Buffers of 2 MiB or more are 2 MiB aligned and advised to the kernel as transparent huge pages
/// (`madvise(MADV_HUGEPAGE)` on Linux): a weight stream then crosses one TLB entry per 2 MiB
/// instead of one per 4 KiB, and its placement in the caches no longer depends on which physical
/// 4 KiB pages the process happened to get.
final class PackedBuffer: @unchecked Sendable {
    /// Start of the buffer (64-byte aligned; 2 MiB aligned from `hugePageBytes` on).
    let base: UnsafeMutableRawPointer
    /// Size in bytes.
    let byteCount: Int

    /// Size of a transparent huge page on x86-64 Linux, and the size from which buffers use them.
    static let hugePageBytes = 2 << 20

    /// A zero-filled buffer of `byteCount` bytes (at least one byte is allocated).
    init(byteCount: Int) {
        self.byteCount = byteCount
        let size = max(byteCount, 1)
        if size >= Self.hugePageBytes {
            let rounded = (size + Self.hugePageBytes - 1) / Self.hugePageBytes * Self.hugePageBytes
            base = UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: Self.hugePageBytes)
            #if os(Linux)
            _ = madvise(base, rounded, MADV_HUGEPAGE) // advice only: without THP, plain pages
            #endif
        } else {
            base = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        }
        base.initializeMemory(as: UInt8.self, repeating: 0, count: size)
    }

    /// A 64-byte aligned copy of `values` (kernels read it with full-width vector loads that
    /// never split a cache line, and timings do not depend on where malloc put an array).
    convenience init<Element>(copying values: [Element]) {
        let byteCount = values.count * MemoryLayout<Element>.stride
        self.init(byteCount: byteCount)
        values.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress { base.copyMemory(from: source, byteCount: byteCount) }
        }
    }

    /// The buffer's start as a typed pointer.
    func pointer<Element>(as type: Element.Type) -> UnsafePointer<Element> {
        UnsafePointer(base.assumingMemoryBound(to: type))
    }

    deinit { base.deallocate() }
}
