import CZlib

/// A streaming zlib decompressor over an in-memory input: gzip (one or more concatenated
/// members) or zlib-wrapped data, detected from the header.
///
/// `read(into:)` fills the caller's buffer, so callers decide how much memory to commit:
/// the IDX reader decodes the header first and then allocates exactly what it declares.
final class Inflater {
    private let input: [UInt8]
    /// How many input bytes zlib has consumed.
    private var consumed = 0
    private let stream: UnsafeMutablePointer<z_stream>
    private var finished = false

    /// Prepares to decompress `input`.
    init(_ input: [UInt8]) throws {
        self.input = input
        // zlib keeps a pointer back to the z_stream, so it needs a stable address.
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 32: largest window, automatic gzip or zlib header detection.
        let code = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw GzipError.zlibFailure(function: "inflateInit2", code: code)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Whether `bytes` begin with the gzip magic number `1f 8b`.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses into `buffer` until it is full or the data ends; returns the number of
    /// bytes written (less than `buffer.count` only at the end of the data).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var written = 0
        try input.withUnsafeBytes { source in
            while written < buffer.count && !finished {
                let inputLeft = source.count - consumed
                let inputChunk = min(inputLeft, Int(UInt32.max))
                let outputChunk = min(buffer.count - written, Int(UInt32.max))
                stream.pointee.next_in = UnsafeMutablePointer(
                    mutating: source.baseAddress.map { $0.assumingMemoryBound(to: Bytef.self) + consumed })
                stream.pointee.avail_in = uInt(inputChunk)
                stream.pointee.next_out = (base + written).assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(outputChunk)
                let code = inflate(stream, Z_NO_FLUSH)
                consumed += inputChunk - Int(stream.pointee.avail_in)
                written += outputChunk - Int(stream.pointee.avail_out)
                switch code {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    try endOfMember(source)
                case Z_BUF_ERROR:
                    // No progress possible: either the output is full (loop ends) or input ran out.
                    if stream.pointee.avail_out > 0 { throw GzipError.truncated(inputByteCount: input.count) }
                case Z_DATA_ERROR, Z_NEED_DICT:
                    throw GzipError.corrupt(message: zlibMessage(default: "invalid compressed data"))
                default:
                    throw GzipError.zlibFailure(function: "inflate", code: code)
                }
            }
        }
        return written
    }

    /// After a member ends: continue with a following gzip member, finish, or reject trailing bytes.
    private func endOfMember(_ source: UnsafeRawBufferPointer) throws {
        let inputLeft = source.count - consumed
        if inputLeft == 0 {
            finished = true
        } else if inputLeft >= 2 && source[consumed] == 0x1F && source[consumed + 1] == 0x8B {
            let code = inflateReset(stream)
            guard code == Z_OK else { throw GzipError.zlibFailure(function: "inflateReset", code: code) }
        } else {
            throw GzipError.trailingData(offset: consumed, byteCount: inputLeft)
        }
    }

    /// Checks that no more decompressed bytes follow; throws if the stream was incomplete.
    func expectEnd() throws -> Bool {
        var probe: UInt8 = 0
        return try withUnsafeMutableBytes(of: &probe) { try read(into: $0) } == 0
    }

    private func zlibMessage(default fallback: String) -> String {
        stream.pointee.msg.map { String(cString: $0) } ?? fallback
    }
}
