import CZlib

/// gzip compression and decompression through the system zlib.
public enum Gzip {
    /// Whether `bytes` begin with the gzip magic number `1f 8b`.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        Inflater.isGzip(bytes)
    }

    /// Decompresses gzip data (one or more concatenated members) or zlib-wrapped data.
    ///
    /// Never allocates more than `maximumOutputBytes` (plus a small constant) for the result:
    /// data that would decompress to more throws `GzipError.outputLimitExceeded`.
    /// - Throws: `GzipError` for corrupt, truncated or oversized data.
    public static func decompress(_ data: [UInt8], maximumOutputBytes: Int) throws -> [UInt8] {
        precondition(maximumOutputBytes >= 0, "maximumOutputBytes must not be negative")
        let inflater = try Inflater(data)
        // Start from the gzip size trailer (the last member's size mod 2^32) as a hint, within the
        // cap; one byte more so that an exact hint ends the data before the buffer is full.
        let hint = initialCapacityHint(data)
        var capacity = min(max(hint < Int(UInt32.max) ? hint + 1 : hint, 4096), maximumOutputBytes)
        var output = [UInt8]()
        while true {
            let room = capacity - output.count
            var written = 0
            output = try ByteBuffer.appending(to: output, upTo: room) { buffer in
                written = try inflater.read(into: buffer)
                return written
            }
            if written < room { break }  // The data ended before the buffer was full.
            if capacity == maximumOutputBytes {
                // Full at the cap: allowed only if nothing follows.
                if try inflater.expectEnd() { break }
                throw GzipError.outputLimitExceeded(limit: maximumOutputBytes)
            }
            capacity = capacity > maximumOutputBytes / 2 ? maximumOutputBytes : capacity * 2
        }
        return output
    }

    /// Compresses `data` into a single gzip member (no file name, zero time stamp, so the
    /// output depends only on the input and the level).
    /// - Parameter level: 0 (store) ... 9 (smallest); 6 is zlib's default.
    public static func compress(_ data: [UInt8], level: Int = 9) throws -> [UInt8] {
        guard (0...9).contains(level) else { throw GzipError.invalidLevel(level) }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        // 15 + 16: largest window, gzip wrapper.
        let initCode = deflateInit2_(
            stream, Int32(level), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initCode == Z_OK else { throw GzipError.zlibFailure(function: "deflateInit2", code: initCode) }
        defer { deflateEnd(stream) }

        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(data.count))) + 64)
        var produced = 0
        try data.withUnsafeBytes { source in
            var consumed = 0
            while true {
                if produced == output.count { output += [UInt8](repeating: 0, count: output.count) }
                let inputChunk = min(source.count - consumed, Int(UInt32.max))
                let isLast = consumed + inputChunk == source.count
                let code: Int32 = output.withUnsafeMutableBytes { destination in
                    let outputChunk = min(destination.count - produced, Int(UInt32.max))
                    stream.pointee.next_in = UnsafeMutablePointer(
                        mutating: source.baseAddress.map { $0.assumingMemoryBound(to: Bytef.self) + consumed })
                    stream.pointee.avail_in = uInt(inputChunk)
                    stream.pointee.next_out = (destination.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(outputChunk)
                    let code = deflate(stream, isLast ? Z_FINISH : Z_NO_FLUSH)
                    consumed += inputChunk - Int(stream.pointee.avail_in)
                    produced += outputChunk - Int(stream.pointee.avail_out)
                    return code
                }
                switch code {
                case Z_STREAM_END:
                    return
                case Z_OK, Z_BUF_ERROR:
                    continue
                default:
                    throw GzipError.zlibFailure(function: "deflate", code: code)
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// The gzip trailer's uncompressed size (ISIZE), or 0 for non-gzip data.
    private static func initialCapacityHint(_ data: [UInt8]) -> Int {
        guard isGzip(data), data.count >= 18 else { return 0 }
        let end = data.count
        return Int(data[end - 4]) | Int(data[end - 3]) << 8 | Int(data[end - 2]) << 16 | Int(data[end - 1]) << 24
    }
}
