/// Why a model file could not be read or written. Every message is one line that names the part
/// of the file (section, tensor, field) and what is wrong with it.
public enum ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
    // MARK: Container structure

    /// The bytes end before `what` is complete.
    case truncated(what: String, needed: Int, available: Int)
    /// The first eight bytes are not the Shrink magic.
    case badMagic(found: [UInt8])
    /// The file was written by a newer, incompatible major version of the format.
    case newerMajorVersion(file: FormatVersion, reader: FormatVersion)
    /// The file's major version is older than any this reader supports.
    case retiredMajorVersion(file: FormatVersion, oldestReadableMajor: UInt16)
    /// Version 0.x, which no Shrink writes.
    case invalidVersion(FormatVersion)
    /// Flag bits this reader does not understand are set in `location`.
    case unknownFlags(location: String, flags: UInt32)
    /// The section count is outside `1...ModelFileLimits.maximumSectionCount`.
    case invalidSectionCount(UInt32)
    /// The preamble records a different file length than the bytes have (truncation or appended
    /// bytes).
    case fileLengthMismatch(declared: UInt64, actual: Int)
    /// The CRC-32 over the preamble and section table does not match.
    case headerChecksumMismatch(stored: UInt32, computed: UInt32)
    /// A section's byte range reaches past the end of the file.
    case sectionOutOfBounds(section: String, offset: UInt64, length: UInt64, fileLength: Int)
    /// A section's alignment is not a power of two in the accepted range for its kind.
    case invalidAlignment(section: String, alignment: UInt32)
    /// A section's offset is not a multiple of its alignment.
    case misalignedSection(section: String, offset: UInt64, alignment: UInt32)
    /// A section starts before the previous section (or the section table) ends.
    case sectionsOverlap(first: String, second: String)
    /// A section does not start at the first aligned offset after the previous one.
    case sectionGap(section: String, offset: UInt64, expectedOffset: Int)
    /// Bytes after the last section.
    case trailingBytes(count: Int)
    /// Padding or unreferenced bytes that must be zero are not.
    case nonZeroPadding(location: String, offset: Int)
    /// A section's CRC-32 does not match its bytes.
    case sectionChecksumMismatch(section: String, stored: UInt32, computed: UInt32)
    /// A section of a kind this reader does not know is marked required.
    case unknownRequiredSection(section: String)
    /// No manifest section, or more than one.
    case manifestCount(Int)
    /// The manifest is larger than `ModelFileLimits.maximumManifestLength`.
    case manifestTooLarge(length: UInt64, limit: Int)
    /// The manifest is not valid JSON of the expected schema.
    case invalidManifest(String)

    // MARK: Content

    /// A tensor, layer or architecture name is empty, too long, or has control characters.
    case invalidName(what: String, name: String, reason: String)
    /// Two tensors share a name.
    case duplicateTensorName(String)
    /// More tensors than `ModelFileLimits.maximumTensorCount`.
    case tooManyTensors(count: Int, limit: Int)
    /// A tensor's shape is negative, too deep or too large.
    case invalidShape(tensor: String, shape: [Int], reason: String)
    /// A tensor uses an encoding this reader does not know.
    case unknownEncoding(tensor: String, tag: String)
    /// A tensor's byte ranges are missing, duplicated, misplaced or of the wrong size.
    case invalidByteRange(tensor: String, reason: String)
    /// A tensor's stored byte count differs from what its shape and encoding need.
    case byteLengthMismatch(tensor: String, shape: [Int], expected: Int, actual: Int)
    /// A `coded` tensor's descriptor or streams are invalid (counts, widths, Huffman tables,
    /// codes); `reason` names the byte range or section when one is involved.
    case invalidEncoding(tensor: String, reason: String)
    /// Two tensors' byte ranges share bytes.
    case overlappingByteRanges(first: String, second: String)
    /// A format 1.x architecture has an invalid value.
    case invalidArchitecture(String)
    /// The graph is invalid: names, limits, an unknown op, attributes or shapes an op rejects,
    /// or a tensor table that does not match the weights the graph's ops declare.
    case invalidGraph(String)
    /// An activation quantization entry is invalid (unknown value, scale, zero point, bits).
    case invalidActivationQuantization(value: String, reason: String)
    /// The metadata has an invalid value.
    case invalidMetadata(String)

    // MARK: Files

    /// A file-system call failed.
    case fileSystem(operation: String, path: String, reason: String)

    /// One line naming what is wrong and where.
    public var description: String {
        switch self {
        case .truncated(let what, let needed, let available):
            return "model file truncated: \(what) needs \(needed) bytes, the file has \(available)"
        case .badMagic(let found):
            let hex = found.map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }
            return "not a Shrink model file: bad magic bytes \(hex.joined(separator: " ")) "
                + "(expected 89 53 48 52 4b 0d 0a 0a; a text-mode transfer may have mangled it)"
        case .newerMajorVersion(let file, let reader):
            return "model file format version \(file) is newer than this reader supports "
                + "(\(reader.major).x); upgrade shrink to read it"
        case .retiredMajorVersion(let file, let oldest):
            return "model file format version \(file) is older than this reader supports (\(oldest).x and later)"
        case .invalidVersion(let version):
            return "invalid model file format version \(version): no format version 0 exists"
        case .unknownFlags(let location, let flags):
            return "\(location) sets unknown flag bits 0x\(String(flags, radix: 16))"
        case .invalidSectionCount(let count):
            return "section table has \(count) entries; expected 1...\(ModelFileLimits.maximumSectionCount)"
        case .fileLengthMismatch(let declared, let actual):
            if declared > UInt64(actual) {
                return "model file truncated: header declares \(declared) bytes, the file has \(actual)"
            }
            return "model file has \(UInt64(actual) - declared) unexpected bytes after its declared length \(declared)"
        case .headerChecksumMismatch(let stored, let computed):
            return "preamble/section table checksum mismatch: stored CRC-32 \(hex(stored)), computed \(hex(computed))"
        case .sectionOutOfBounds(let section, let offset, let length, let fileLength):
            return "\(section) (offset \(offset), length \(length)) extends beyond the end of the file (\(fileLength) bytes)"
        case .invalidAlignment(let section, let alignment):
            return "\(section) has invalid alignment \(alignment)"
        case .misalignedSection(let section, let offset, let alignment):
            return "\(section) offset \(offset) is not a multiple of its alignment \(alignment)"
        case .sectionsOverlap(let first, let second):
            return "\(second) overlaps \(first)"
        case .sectionGap(let section, let offset, let expectedOffset):
            return "\(section) starts at offset \(offset); sections must be contiguous up to alignment, expected \(expectedOffset)"
        case .trailingBytes(let count):
            return "model file has \(count) trailing bytes after its last section"
        case .nonZeroPadding(let location, let offset):
            return "non-zero byte in \(location) at file offset \(offset)"
        case .sectionChecksumMismatch(let section, let stored, let computed):
            return "\(section) checksum mismatch: stored CRC-32 \(hex(stored)), computed \(hex(computed)); the file is corrupted"
        case .unknownRequiredSection(let section):
            return "\(section) has a required kind this reader does not know; upgrade shrink to read it"
        case .manifestCount(let count):
            return "model file has \(count) manifest sections; expected exactly 1"
        case .manifestTooLarge(let length, let limit):
            return "manifest section is \(length) bytes; the limit is \(limit)"
        case .invalidManifest(let reason):
            return "invalid manifest: \(reason)"
        case .invalidName(let what, let name, let reason):
            return "invalid \(what) name \(quoted(name)): \(reason)"
        case .duplicateTensorName(let name):
            return "two tensors are named \(quoted(name))"
        case .tooManyTensors(let count, let limit):
            return "manifest lists \(count) tensors; the limit is \(limit)"
        case .invalidShape(let tensor, let shape, let reason):
            return "tensor \(quoted(tensor)) has invalid shape \(shape): \(reason)"
        case .unknownEncoding(let tensor, let tag):
            return "tensor \(quoted(tensor)) uses encoding \(quoted(tag)), which this reader "
                + "(format \(FormatVersion.current)) does not support; upgrade shrink to read it"
        case .invalidByteRange(let tensor, let reason):
            return "tensor \(quoted(tensor)): \(reason)"
        case .byteLengthMismatch(let tensor, let shape, let expected, let actual):
            return "tensor \(quoted(tensor)) with shape \(shape) needs \(expected) bytes but stores \(actual)"
        case .invalidEncoding(let tensor, let reason):
            return "tensor \(quoted(tensor)) has an invalid encoding: \(reason)"
        case .overlappingByteRanges(let first, let second):
            return "tensors \(quoted(first)) and \(quoted(second)) have overlapping byte ranges"
        case .invalidArchitecture(let reason):
            return "invalid architecture: \(reason)"
        case .invalidGraph(let reason):
            return "invalid graph: \(reason)"
        case .invalidActivationQuantization(let value, let reason):
            return "invalid activation quantization of value \(quoted(value)): \(reason)"
        case .invalidMetadata(let reason):
            return "invalid metadata: \(reason)"
        case .fileSystem(let operation, let path, let reason):
            return "cannot \(operation) \(quoted(path)): \(reason)"
        }
    }
}

/// `0x1A2B3C4D`.
private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

/// A name in quotes with control characters escaped and long names shortened, so a hostile name
/// cannot break the one-line message.
func quoted(_ text: String) -> String {
    var result = "\""
    var count = 0
    for scalar in text.unicodeScalars {
        if count == 80 {
            result += "…"
            break
        }
        count += 1
        if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) || scalar == "\"" || scalar == "\\" {
            result += scalar.escaped(asASCII: true)
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
