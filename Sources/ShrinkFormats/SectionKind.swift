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
    /// The same manifest, DEFLATE-compressed (format 1.2, `ManifestCompression`).
    static let compressedManifest = SectionKind("MNFZ")
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
