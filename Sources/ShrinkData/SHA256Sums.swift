/// The parsed `SHA256SUMS` file of a data directory, and the reading of files verified against it.
///
/// Lines starting with `#` are comments; every other non-empty line is
/// `<sha256 of the file> <sha256 of its decompressed bytes> <file name>`, where the second hash
/// may be omitted, as in plain `sha256sum` output.
struct SHA256Sums {
    struct Entry: Equatable {
        /// Lowercase hex SHA-256 of the file as stored.
        var stored: String
        /// Lowercase hex SHA-256 of the decompressed bytes, if listed.
        var decompressed: String?
    }

    /// Where the sums were read from.
    let path: String
    /// Entries by file name.
    let entries: [String: Entry]

    /// Reads and parses the file at `path`, reporting failures as `Failure`.
    init<Failure: ChecksummedFileError>(contentsOf path: String, failure: Failure.Type) throws {
        let bytes = try FileBytes.read(path: path, maximumByteCount: 1 << 20, failure: failure)
        try self.init(text: String(decoding: bytes, as: UTF8.self), path: path, failure: failure)
    }

    /// Parses `text`, read from `path`; a malformed line throws `Failure.malformedChecksums`.
    init<Failure: ChecksummedFileError>(text: String, path: String, failure: Failure.Type) throws {
        var entries = [String: Entry]()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let hashes = fields.dropLast()
            guard fields.count == 2 || fields.count == 3, hashes.allSatisfy(Self.isHexDigest) else {
                throw Failure.malformedChecksums(path: path, line: index + 1)
            }
            // `sha256sum -b` marks binary files with a leading `*` on the name.
            var name = fields[fields.count - 1]
            if name.hasPrefix("*") { name.removeFirst() }
            entries[name] = Entry(stored: fields[0].lowercased(), decompressed: fields.count == 3 ? fields[1].lowercased() : nil)
        }
        self.path = path
        self.entries = entries
    }

    /// Reads the file at `path` and returns its bytes, decompressed if `decompressing` (gzip),
    /// after checking them against this file's entry for it: the SHA-256 of the file as stored,
    /// and that of the decompressed bytes when listed. `decompressedContent` names those bytes in
    /// a mismatch error. Files (and decompressed data) larger than `maximumByteCount` are refused
    /// before they are allocated.
    /// - Throws: `Failure` naming the file: no entry, missing, unreadable, a wrong sum, or gzip
    ///   data that does not decompress.
    func verifiedContents<Failure: ChecksummedFileError>(
        of path: String, decompressing: Bool, decompressedContent: String, maximumByteCount: Int, failure: Failure.Type
    ) throws -> [UInt8] {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let entry = entries[name] else {
            throw Failure.missingChecksum(file: path, checksumsFile: self.path)
        }
        let stored = try FileBytes.read(path: path, maximumByteCount: maximumByteCount, failure: failure)
        let storedDigest = SHA256.hexString(of: SHA256.hash(stored))
        guard storedDigest == entry.stored else {
            throw Failure.checksumMismatch(
                file: path, content: decompressing ? "gzip file" : "file", expected: entry.stored, actual: storedDigest)
        }
        guard decompressing else { return stored }
        let decompressed: [UInt8]
        do {
            decompressed = try Gzip.decompress(stored, maximumOutputBytes: maximumByteCount)
        } catch let error as GzipError {
            throw Failure.decompression(file: path, error)
        }
        if let expected = entry.decompressed {
            let decompressedDigest = SHA256.hexString(of: SHA256.hash(decompressed))
            guard decompressedDigest == expected else {
                throw Failure.checksumMismatch(
                    file: path, content: decompressedContent, expected: expected, actual: decompressedDigest)
            }
        }
        return decompressed
    }

    private static func isHexDigest(_ field: String) -> Bool {
        field.utf8.count == 64 && field.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }
    }
}

extension Substring {
    /// The substring without leading and trailing spaces, tabs and carriage returns.
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
