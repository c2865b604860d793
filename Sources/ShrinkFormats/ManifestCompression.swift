import CZlib

/// The compressed manifest of an `MNFZ` section (docs/FORMAT.md, format 1.2): a `u32`
/// little-endian length of the manifest JSON, then that JSON as one raw DEFLATE stream
/// (RFC 1951, no zlib or gzip wrapper; the section's CRC-32 already guards the bytes).
enum ManifestCompression {
    /// Bytes before the DEFLATE stream (the inflated length).
    static let headerLength = 4

    /// The section bytes for `json` (at most `ModelFileLimits.maximumManifestLength` bytes),
    /// compressed with zlib level 9, window 2^15, memory level 8, default strategy: the same
    /// JSON and zlib version always give the same bytes.
    static func compress(_ json: [UInt8]) throws -> [UInt8] {
        precondition(json.count <= ModelFileLimits.maximumManifestLength)
        var stream = z_stream()
        // Negative window bits: raw DEFLATE without a wrapper.
        let initCode = deflateInit2_(&stream, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                     zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initCode == Z_OK else { throw ModelFileError.invalidManifest("cannot compress: zlib deflateInit2 returned \(initCode)") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(json.count)))
        var output = [UInt8](repeating: 0, count: headerLength + bound)
        output.storeLittleEndian(UInt32(json.count), at: 0)
        var json = json
        let (code, produced) = json.withUnsafeMutableBytes { source in
            output.withUnsafeMutableBytes { destination in
                stream.next_in = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(source.count)
                stream.next_out = (destination.baseAddress! + headerLength).assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(bound)
                let code = deflate(&stream, Z_FINISH)
                return (code, bound - Int(stream.avail_out))
            }
        }
        guard code == Z_STREAM_END else { throw ModelFileError.invalidManifest("cannot compress: zlib deflate returned \(code)") }
        return Array(output[0..<(headerLength + produced)])
    }

    /// The manifest JSON of an `MNFZ` section's bytes. Checks the declared length against
    /// `ModelFileLimits.maximumManifestLength` before allocating, then requires the stream to
    /// inflate to exactly that many bytes and to end exactly at the section's last byte.
    static func decompress(_ section: ArraySlice<UInt8>, label: String) throws -> [UInt8] {
        func fail(_ reason: String) -> ModelFileError { .invalidManifest("\(label): \(reason)") }
        guard section.count >= headerLength + 1 else {
            throw fail("a compressed manifest needs 4 length bytes and a DEFLATE stream, the section has \(section.count) bytes")
        }
        let start = section.startIndex
        let declared = UInt32(section[start]) | UInt32(section[start + 1]) << 8
            | UInt32(section[start + 2]) << 16 | UInt32(section[start + 3]) << 24
        guard declared <= UInt32(ModelFileLimits.maximumManifestLength) else {
            throw ModelFileError.manifestTooLarge(length: UInt64(declared), limit: ModelFileLimits.maximumManifestLength)
        }
        guard declared > 0 else { throw fail("the declared manifest length is 0") }
        var stream = z_stream()
        let initCode = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initCode == Z_OK else { throw fail("zlib inflateInit2 returned \(initCode)") }
        defer { inflateEnd(&stream) }
        let length = Int(declared)
        // One byte more than declared, so that a longer stream is seen rather than cut off.
        var output = [UInt8](repeating: 0, count: length + 1)
        var input = Array(section[(start + headerLength)...])
        let (code, produced, unread) = input.withUnsafeMutableBytes { source in
            output.withUnsafeMutableBytes { destination in
                stream.next_in = source.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(destination.count)
                let code = inflate(&stream, Z_FINISH)
                return (code, destination.count - Int(stream.avail_out), Int(stream.avail_in))
            }
        }
        switch code {
        case Z_STREAM_END:
            guard produced == length else {
                throw fail("the DEFLATE stream inflates to \(produced == length + 1 ? "more than" : "\(produced) bytes, not") \(length) bytes")
            }
            guard unread == 0 else { throw fail("\(unread) bytes follow the end of the DEFLATE stream") }
        case Z_BUF_ERROR where produced <= length:
            throw fail("the DEFLATE stream is truncated")
        case Z_BUF_ERROR, Z_OK:
            throw fail("the DEFLATE stream inflates to more than \(length) bytes")
        default:
            throw fail("invalid DEFLATE stream (zlib inflate returned \(code))")
        }
        output.removeLast()
        return output
    }
}
