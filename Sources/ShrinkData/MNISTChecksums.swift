/// The parsed `SHA256SUMS` of an MNIST directory.
///
/// Lines starting with `#` are comments; every other non-empty line is
/// `<sha256 of the .gz file> <sha256 of the raw idx bytes> <file name>` (the second hash may be
/// omitted, as in plain `sha256sum` output).
struct MNISTChecksums {
    struct Entry: Equatable {
        /// Lowercase hex SHA-256 of the compressed file.
        var compressed: String
        /// Lowercase hex SHA-256 of the decompressed bytes, if listed.
        var raw: String?
    }

    /// Where the sums were read from.
    let path: String
    /// Entries by file name.
    let entries: [String: Entry]

    init(contentsOf path: String) throws {
        let bytes = try MNIST.readFile(path, maximumByteCount: 1 << 20)
        try self.init(text: String(decoding: bytes, as: UTF8.self), path: path)
    }

    init(text: String, path: String) throws {
        var entries = [String: Entry]()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let hashes = fields.dropLast()
            guard fields.count == 2 || fields.count == 3, hashes.allSatisfy(Self.isHexDigest) else {
                throw MNISTError.malformedChecksums(path: path, line: index + 1)
            }
            // `sha256sum -b` marks binary files with a leading `*` on the name.
            var name = fields[fields.count - 1]
            if name.hasPrefix("*") { name.removeFirst() }
            entries[name] = Entry(compressed: fields[0].lowercased(), raw: fields.count == 3 ? fields[1].lowercased() : nil)
        }
        self.path = path
        self.entries = entries
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
