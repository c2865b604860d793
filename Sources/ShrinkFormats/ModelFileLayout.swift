/// Fixed byte layout of the container (docs/FORMAT.md, "Preamble" and "Section table").
enum ModelFileLayout {
    /// `89 53 48 52 4B 0D 0A 0A`: a non-ASCII byte (catches 7-bit transfers), "SHRK", then
    /// CR LF LF (catches CRLF↔LF newline translation in either direction).
    static let magic: [UInt8] = [0x89, 0x53, 0x48, 0x52, 0x4B, 0x0D, 0x0A, 0x0A]
    /// Bytes 0..<32: magic, version, flags, file length, section count, CRC.
    static let preambleLength = 32
    /// Offset of the preamble's CRC-32 field; the CRC covers bytes 0..<28 and the section table.
    static let preambleChecksumOffset = 28
    /// Bytes per section table entry.
    static let sectionEntryLength = 32
    /// Alignment the writer uses for the manifest section.
    static let manifestAlignment = 8
    /// Alignment of tensor data sections (writer and minimum accepted by the reader).
    static let dataAlignment = 64
    /// Alignment of every non-empty byte range inside a data section, relative to the section.
    static let rangeAlignment = 64
    /// Section flag bit 0: a reader that does not know the section's kind must reject the file.
    static let requiredSectionFlag: UInt32 = 1
}
