/// A 64-byte aligned, immutable-after-packing byte buffer holding weights laid out for a kernel.
/// Shared by value types (copy-on-write is never needed: packing writes once, at load time).
final class PackedBuffer: @unchecked Sendable {
    /// Start of the buffer (64-byte aligned).
    let base: UnsafeMutableRawPointer
    /// Size in bytes.
    let byteCount: Int

    /// A zero-filled buffer of `byteCount` bytes (at least one byte is allocated).
    init(byteCount: Int) {
        self.byteCount = byteCount
        base = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
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
