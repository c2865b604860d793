import ShrinkEncodings

extension StoredEncoding {
    /// The lengths of the byte ranges the writer would store for this encoding, in role order:
    /// one `payload`, or the Huffman form's `side-table`, gap and value ranges (docs/FORMAT.md,
    /// `coded`). In the file the tensor's ranges follow each other from a 64-byte boundary
    /// (`ModelFile.rangeAlignment`), so a caller comparing encodings can round their sum up.
    ///
    /// - Throws: `ModelFileError.invalidEncoding` when the encoding cannot be stored.
    public func storedRangeLengths() throws -> [Int] {
        try CodedStorage.plan(name: "tensor", encoding: self).ranges.map(\.bytes.count)
    }
}

extension ModelFile {
    /// The alignment of every non-empty tensor byte range within its data section (64 bytes).
    public static var rangeAlignment: Int { ModelFileLayout.rangeAlignment }
}
