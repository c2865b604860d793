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

/// A section's four-character kind, stored as four ASCII bytes (`MNFT`, `DATA`).
struct SectionKind: Hashable, CustomStringConvertible {
    /// The four bytes in file order.
    var bytes: (UInt8, UInt8, UInt8, UInt8)

    init(_ bytes: (UInt8, UInt8, UInt8, UInt8)) {
        self.bytes = bytes
    }

    init(_ text: StaticString) {
        let pointer = text.utf8Start
        precondition(text.utf8CodeUnitCount == 4, "section kinds are four bytes")
        bytes = (pointer[0], pointer[1], pointer[2], pointer[3])
    }

    /// The JSON manifest: architecture, metadata, tensor table.
    static let manifest = SectionKind("MNFT")
    /// Tensor payload bytes addressed by the tensor table's byte ranges.
    static let tensorData = SectionKind("DATA")

    var array: [UInt8] { [bytes.0, bytes.1, bytes.2, bytes.3] }

    static func == (lhs: SectionKind, rhs: SectionKind) -> Bool { lhs.array == rhs.array }
    func hash(into hasher: inout Hasher) { hasher.combine(array) }

    /// `DATA`, or `0x00FF4142` when not printable ASCII.
    var description: String {
        let values = array
        if values.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) {
            return String(decoding: values, as: UTF8.self)
        }
        return "0x" + values.map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
