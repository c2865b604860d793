/// Helpers for filling byte arrays without zero-initializing them first (which costs a pass over
/// the memory, and is slow element by element in unoptimized builds).
enum ByteBuffer {
    /// A new array of `array`'s bytes followed by up to `extraCount` bytes written by `fill`
    /// (which returns how many it wrote), without zero-filling the new space.
    static func appending(
        to array: [UInt8], upTo extraCount: Int,
        _ fill: (UnsafeMutableRawBufferPointer) throws -> Int
    ) rethrows -> [UInt8] {
        let keptCount = array.count
        return try [UInt8](unsafeUninitializedCapacity: keptCount + extraCount) { buffer, initialized in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!)
            array.withUnsafeBytes { old in
                if keptCount > 0 { base.copyMemory(from: old.baseAddress!, byteCount: keptCount) }
            }
            initialized = keptCount
            let written = try fill(UnsafeMutableRawBufferPointer(start: base + keptCount, count: extraCount))
            precondition(written >= 0 && written <= extraCount, "fill reported \(written) of \(extraCount) bytes")
            initialized = keptCount + written
        }
    }
}
