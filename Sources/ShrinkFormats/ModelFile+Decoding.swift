import Foundation
import ShrinkEncodings
import ShrinkTensor

extension ModelFile {
    /// Decodes and validates a model file's bytes.
    ///
    /// Every count, offset and length is checked against the file size and the limits in
    /// `ModelFileLimits` before anything is allocated from it; every section's CRC-32 is verified;
    /// the manifest must be strict JSON of the documented schema. Hostile input produces a
    /// `ModelFileError`, never a trap. Files of any minor version of a supported major version are
    /// read; parts a newer minor version added and marked optional are ignored.
    public static func decode(_ bytes: [UInt8]) throws -> ModelFile {
        try inspect(bytes).model
    }

    /// Decodes like `decode(_:)` and also reports how every tensor is stored (encoding, byte
    /// ranges and their lengths), for `shrink inspect`.
    public static func inspect(_ bytes: [UInt8]) throws -> ModelFileInspection {
        try ModelFileDecoder(bytes: bytes, reader: .current, oldestReadableMajor: FormatVersion.oldestReadableMajor)
            .decode()
    }
}

/// A section whose table entry has been validated against the file.
struct ValidatedSection {
    var index: Int
    var kind: SectionKind
    var flags: UInt32
    /// Absolute byte range in the file.
    var range: Range<Int>
    var storedChecksum: UInt32
    /// `section 1 (DATA)`, for messages.
    var label: String { "section \(index) (\(kind))" }
}

/// The reader, in the order docs/FORMAT.md ("Reading") prescribes.
struct ModelFileDecoder {
    let bytes: [UInt8]
    let reader: FormatVersion
    let oldestReadableMajor: UInt16

    func decode() throws -> ModelFileInspection {
        let sections = try readContainer()
        let manifest = try readManifest(sections)
        return try readContent(manifest, sections)
    }

    // MARK: Preamble and section table

    /// Checks magic, version, preamble, section table, layout and checksums.
    func readContainer() throws -> [ValidatedSection] {
        let fileLength = bytes.count
        let magic = ModelFileLayout.magic
        let magicPrefix = min(magic.count, fileLength)
        if !bytes[0..<magicPrefix].elementsEqual(magic[0..<magicPrefix]) {
            throw ModelFileError.badMagic(found: Array(bytes[0..<magicPrefix]))
        }
        if fileLength < 12 {
            throw ModelFileError.truncated(what: "the magic and format version", needed: 12, available: fileLength)
        }
        let version = FormatVersion(major: bytes.littleEndianUInt16(at: 8), minor: bytes.littleEndianUInt16(at: 10))
        switch version.compatibility(withReader: reader, oldestReadableMajor: oldestReadableMajor) {
        case .readable: break
        case .newerMajor: throw ModelFileError.newerMajorVersion(file: version, reader: reader)
        case .retiredMajor:
            throw ModelFileError.retiredMajorVersion(file: version, oldestReadableMajor: oldestReadableMajor)
        case .invalid: throw ModelFileError.invalidVersion(version)
        }
        if fileLength < ModelFileLayout.preambleLength {
            throw ModelFileError.truncated(
                what: "the preamble", needed: ModelFileLayout.preambleLength, available: fileLength)
        }
        let flags = bytes.littleEndianUInt32(at: 12)
        if flags != 0 {
            throw ModelFileError.unknownFlags(location: "the preamble", flags: flags)
        }
        let sectionCount = bytes.littleEndianUInt32(at: 24)
        if sectionCount == 0 || sectionCount > UInt32(ModelFileLimits.maximumSectionCount) {
            throw ModelFileError.invalidSectionCount(sectionCount)
        }
        let tableEnd = ModelFileLayout.preambleLength + Int(sectionCount) * ModelFileLayout.sectionEntryLength
        if fileLength < tableEnd {
            throw ModelFileError.truncated(
                what: "the section table (\(sectionCount) entries)", needed: tableEnd, available: fileLength)
        }
        let storedHeaderChecksum = bytes.littleEndianUInt32(at: ModelFileLayout.preambleChecksumOffset)
        let computedHeaderChecksum = ModelFile.headerChecksum(bytes, tableEnd: tableEnd)
        if storedHeaderChecksum != computedHeaderChecksum {
            throw ModelFileError.headerChecksumMismatch(stored: storedHeaderChecksum, computed: computedHeaderChecksum)
        }
        let declaredLength = bytes.littleEndianUInt64(at: 16)
        if declaredLength != UInt64(fileLength) {
            throw ModelFileError.fileLengthMismatch(declared: declaredLength, actual: fileLength)
        }

        var sections: [ValidatedSection] = []
        var previousEnd = tableEnd
        var previousLabel = "the section table"
        for index in 0..<Int(sectionCount) {
            let entry = ModelFileLayout.preambleLength + index * ModelFileLayout.sectionEntryLength
            let kind = SectionKind((bytes[entry], bytes[entry + 1], bytes[entry + 2], bytes[entry + 3]))
            let label = "section \(index) (\(kind))"
            let sectionFlags = bytes.littleEndianUInt32(at: entry + 4)
            let offset = bytes.littleEndianUInt64(at: entry + 8)
            let length = bytes.littleEndianUInt64(at: entry + 16)
            let alignment = bytes.littleEndianUInt32(at: entry + 24)
            let storedChecksum = bytes.littleEndianUInt32(at: entry + 28)

            if sectionFlags & ~ModelFileLayout.requiredSectionFlag != 0 {
                throw ModelFileError.unknownFlags(
                    location: label, flags: sectionFlags & ~ModelFileLayout.requiredSectionFlag)
            }
            let minimumAlignment = kind == .tensorData ? ModelFileLayout.dataAlignment : 1
            if alignment == 0 || alignment & (alignment - 1) != 0 || Int(alignment) < minimumAlignment
                || Int(alignment) > ModelFileLimits.maximumAlignment
            {
                throw ModelFileError.invalidAlignment(section: label, alignment: alignment)
            }
            if offset > UInt64(fileLength) || length > UInt64(fileLength) - offset {
                throw ModelFileError.sectionOutOfBounds(section: label, offset: offset, length: length, fileLength: fileLength)
            }
            if (kind == .manifest || kind == .compressedManifest) && length > UInt64(ModelFileLimits.maximumManifestLength) {
                throw ModelFileError.manifestTooLarge(length: length, limit: ModelFileLimits.maximumManifestLength)
            }
            // Both fit in Int: they are at most the file length.
            let start = Int(offset)
            let end = start + Int(length)
            if start % Int(alignment) != 0 {
                throw ModelFileError.misalignedSection(section: label, offset: offset, alignment: alignment)
            }
            if start < previousEnd {
                throw ModelFileError.sectionsOverlap(first: previousLabel, second: label)
            }
            // Cannot overflow: previousEnd ≤ fileLength and alignment ≤ 64 KiB.
            let expectedStart = alignedUp(previousEnd, to: Int(alignment)) ?? previousEnd
            if start != expectedStart {
                throw ModelFileError.sectionGap(section: label, offset: offset, expectedOffset: expectedStart)
            }
            if let nonZero = bytes.firstNonZero(in: previousEnd..<start) {
                throw ModelFileError.nonZeroPadding(location: "the padding before \(label)", offset: nonZero)
            }
            sections.append(
                ValidatedSection(
                    index: index, kind: kind, flags: sectionFlags, range: start..<end, storedChecksum: storedChecksum))
            previousEnd = end
            previousLabel = label
        }
        if previousEnd != fileLength {
            throw ModelFileError.trailingBytes(count: fileLength - previousEnd)
        }

        for section in sections {
            let computed = Checksum.crc32(bytes, section.range)
            if computed != section.storedChecksum {
                throw ModelFileError.sectionChecksumMismatch(
                    section: section.label, stored: section.storedChecksum, computed: computed)
            }
        }
        for section in sections where ![.manifest, .compressedManifest, .tensorData].contains(section.kind) {
            if section.flags & ModelFileLayout.requiredSectionFlag != 0 {
                throw ModelFileError.unknownRequiredSection(section: section.label)
            }
        }
        return sections
    }

    // MARK: Manifest

    /// The one manifest section (`MNFT`, or since 1.2 the compressed `MNFZ`, inflated first),
    /// strict JSON check, then schema decoding.
    func readManifest(_ sections: [ValidatedSection]) throws -> Manifest {
        let manifests = sections.filter { $0.kind == .manifest || $0.kind == .compressedManifest }
        guard manifests.count == 1, let section = manifests.first else {
            throw ModelFileError.manifestCount(manifests.count)
        }
        let json = section.kind == .compressedManifest
            ? try ManifestCompression.decompress(bytes[section.range], label: section.label)
            : Array(bytes[section.range])
        try StrictJSONValidator.validate(json)
        let major = bytes.littleEndianUInt16(at: 8)
        do {
            guard major == 1 else { return try JSONDecoder().decode(Manifest.self, from: Data(json)) }
            let legacy = try JSONDecoder().decode(FormatOneManifest.self, from: Data(json))
            try ModelFileValidation.validateFormatOne(legacy.architecture)
            return Manifest(graph: GraphRecord(legacy.architecture.graph), activationQuantization: [],
                            metadata: legacy.metadata, tensors: legacy.tensors)
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw ModelFileError.invalidManifest(Self.describe(error))
        }
    }

    /// A one-line description of a `DecodingError` with the JSON path, e.g.
    /// `tensors[2].shape[0]: expected Int`.
    static func describe(_ error: Error) -> String {
        func path(_ codingPath: [CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "top level" : text
        }
        func typeName(_ type: Any.Type) -> String {
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return name
        }
        let description: String
        switch error as? DecodingError {
        case .typeMismatch(let type, let context)?:
            description = "\(path(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context)?:
            description = "\(path(context.codingPath)): missing \(typeName(type)) value"
        case .keyNotFound(let key, let context)?:
            description = "\(path(context.codingPath + [key])): missing required field"
        case .dataCorrupted(let context)? where context.codingPath.isEmpty:
            // The strict syntax check already passed, so Foundation's path-less "not valid JSON"
            // means a number it could not convert to its field's type.
            description = "a number does not fit its field (not an integer, or out of range for its type)"
        case .dataCorrupted(let context)?:
            description = "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            description = "\(error)"
        }
        return description.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    // MARK: Tensors

    /// Validates the graph, activation quantization, metadata and the tensor table (against the
    /// graph's declared weights and the sections), then decodes the tensor values.
    func readContent(_ manifest: Manifest, _ sections: [ValidatedSection]) throws -> ModelFileInspection {
        try ModelFileValidation.validate(manifest.metadata)
        try ModelFileValidation.validateTensorTable(manifest.tensors.map { ($0.name, $0.shape) })
        let graph = try manifest.graph.graph()
        _ = try ModelFileValidation.validate(graph, tensors: manifest.tensors.map { ($0.name, $0.shape, $0.kind) })
        var activationQuantization = [String: ActivationQuantization]()
        for record in manifest.activationQuantization {
            guard activationQuantization.updateValue(record.parameters, forKey: record.value) == nil else {
                throw ModelFileError.invalidActivationQuantization(value: record.value, reason: "listed twice")
            }
        }
        try ModelFileValidation.validate(activationQuantization, graph: graph)

        struct Placement {
            var section: Int
            var range: Range<Int>
            var tensor: String
        }
        var placements: [Placement] = []
        /// Per tensor: its encoding, element count and absolute ranges by role.
        var located: [(encoding: TensorEncoding, elementCount: Int, ranges: [(role: String, range: Range<Int>, section: String)])] = []
        located.reserveCapacity(manifest.tensors.count)
        var codedElementTotal = 0
        for record in manifest.tensors {
            guard let encoding = TensorEncoding(rawValue: record.encoding.tag) else {
                throw ModelFileError.unknownEncoding(tensor: record.name, tag: record.encoding.tag)
            }
            let elementCount = try ModelFileValidation.elementCount(of: record.shape, tensor: record.name)
            let expected: [(role: String, length: RangeLength)]
            switch encoding {
            case .denseFloat32: expected = [("values", .exactly(elementCount * MemoryLayout<Float>.size))]
            case .coded:
                expected = try CodedStorage.expectedRanges(record, elementCount: elementCount)
                codedElementTotal += elementCount  // each ≤ 2³², at most 65 536 tensors: no overflow
                guard codedElementTotal <= ModelFileLimits.maximumCodedElementTotal else {
                    throw ModelFileError.invalidEncoding(
                        tensor: record.name,
                        reason: "coded tensors declare more than \(ModelFileLimits.maximumCodedElementTotal) elements in total")
                }
            }
            var rolesSeen = Set<String>()
            var ranges: [(role: String, range: Range<Int>, section: String)] = []
            for range in record.ranges {
                let role = quoted(range.role)
                guard let expectation = expected.first(where: { $0.role == range.role })?.length else {
                    throw ModelFileError.invalidByteRange(
                        tensor: record.name, reason: "encoding \(encoding.tag) has no byte range role \(role)")
                }
                guard rolesSeen.insert(range.role).inserted else {
                    throw ModelFileError.invalidByteRange(tensor: record.name, reason: "byte range role \(role) appears twice")
                }
                guard range.section >= 0 && range.section < sections.count else {
                    throw ModelFileError.invalidByteRange(
                        tensor: record.name,
                        reason: "byte range \(role) refers to section \(range.section); the file has \(sections.count)")
                }
                let section = sections[range.section]
                guard section.kind == .tensorData else {
                    throw ModelFileError.invalidByteRange(
                        tensor: record.name, reason: "byte range \(role) refers to \(section.label), not a DATA section")
                }
                let sectionLength = section.range.count
                guard range.offset >= 0, range.length >= 0, range.offset <= sectionLength,
                    range.length <= sectionLength - range.offset
                else {
                    throw ModelFileError.invalidByteRange(
                        tensor: record.name,
                        reason: "byte range \(role) (offset \(range.offset), length \(range.length)) lies outside "
                            + "\(section.label) of \(sectionLength) bytes")
                }
                if range.length == 0 && range.offset != 0 {
                    throw ModelFileError.invalidByteRange(
                        tensor: record.name, reason: "empty byte range \(role) must have offset 0, not \(range.offset)")
                }
                // Format 1.2: a Huffman form's side table, tables and streams are decoded, never
                // mapped, so they may start at any byte.
                let isHuffmanForm = encoding == .coded
                    && (record.encoding.huffmanGaps == true || record.encoding.huffmanValues == true)
                if !isHuffmanForm && range.offset % ModelFileLayout.rangeAlignment != 0 {
                    throw ModelFileError.invalidByteRange(
                        tensor: record.name,
                        reason: "byte range \(role) offset \(range.offset) is not a multiple of \(ModelFileLayout.rangeAlignment)")
                }
                switch expectation {
                case .exactly(let length):
                    guard range.length == length else {
                        throw ModelFileError.byteLengthMismatch(
                            tensor: record.name, shape: record.shape, expected: length, actual: range.length)
                    }
                case .atMost(let length):
                    guard range.length <= length else {
                        throw ModelFileError.invalidByteRange(
                            tensor: record.name,
                            reason: "byte range \(role) in \(section.label) is \(range.length) bytes; at most \(length) are possible")
                    }
                }
                let start = section.range.lowerBound + range.offset
                let absolute = start..<start + range.length
                if !absolute.isEmpty {
                    placements.append(Placement(section: range.section, range: absolute, tensor: record.name))
                }
                ranges.append((range.role, absolute, section.label))
            }
            for required in expected.map(\.role) where !rolesSeen.contains(required) {
                throw ModelFileError.invalidByteRange(
                    tensor: record.name, reason: "encoding \(encoding.tag) needs a byte range with role \(quoted(required))")
            }
            located.append((encoding, elementCount, ranges))
        }

        // Ranges are disjoint, and data-section bytes outside every range are zero.
        placements.sort { ($0.section, $0.range.lowerBound) < ($1.section, $1.range.lowerBound) }
        for (previous, next) in zip(placements, placements.dropFirst())
        where previous.section == next.section && next.range.lowerBound < previous.range.upperBound {
            throw ModelFileError.overlappingByteRanges(first: previous.tensor, second: next.tensor)
        }
        for section in sections where section.kind == .tensorData {
            var cursor = section.range.lowerBound
            for placement in placements where placement.section == section.index {
                if let nonZero = bytes.firstNonZero(in: cursor..<placement.range.lowerBound) {
                    throw ModelFileError.nonZeroPadding(location: "unreferenced bytes of \(section.label)", offset: nonZero)
                }
                cursor = placement.range.upperBound
            }
            if let nonZero = bytes.firstNonZero(in: cursor..<section.range.upperBound) {
                throw ModelFileError.nonZeroPadding(location: "unreferenced bytes of \(section.label)", offset: nonZero)
            }
        }

        // Everything is validated: allocate and decode.
        var tensors: [StoredTensor] = []
        var reports: [TensorStorageReport] = []
        tensors.reserveCapacity(manifest.tensors.count)
        for (record, location) in zip(manifest.tensors, located) {
            var tensor: StoredTensor
            switch location.encoding {
            case .denseFloat32:
                let values = decodeFloat32(location.ranges[0].range)
                tensor = StoredTensor(name: record.name, kind: record.kind, value: Tensor(shape: record.shape, scalars: values))
            case .coded:
                var contents: [String: [UInt8]] = [:], labels: [String: String] = [:]
                for range in location.ranges {
                    contents[range.role] = Array(bytes[range.range])
                    labels[range.role] = range.section
                }
                let encoding = try CodedStorage.decode(record, elementCount: location.elementCount, bytes: contents, labels: labels)
                tensor = try StoredTensor(name: record.name, kind: record.kind, shape: record.shape, encoding: encoding)
            }
            tensors.append(tensor)
            reports.append(
                TensorStorageReport(
                    name: record.name, shape: record.shape, tag: record.encoding.tag, descriptor: record.encoding.descriptor,
                    huffmanGaps: record.encoding.huffmanGaps ?? false, huffmanValues: record.encoding.huffmanValues ?? false,
                    ranges: location.ranges.map { TensorStorageReport.Range(role: $0.role, length: $0.range.count) }))
        }
        let model = ModelFile(graph: try graph.withDefaultAttributes(), tensors: tensors, activationQuantization: activationQuantization,
                              metadata: manifest.metadata)
        let version = FormatVersion(major: bytes.littleEndianUInt16(at: 8), minor: bytes.littleEndianUInt16(at: 10))
        return ModelFileInspection(model: model, tensors: reports, fileLength: bytes.count, formatVersion: version)
    }

    /// Little-endian binary32 values of `range`, bit for bit.
    private func decodeFloat32(_ range: Range<Int>) -> [Float] {
        let count = range.count / MemoryLayout<Float>.size
        return [Float](unsafeUninitializedCapacity: count) { destination, initialized in
            bytes.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[range])
                #if _endian(little)
                UnsafeMutableRawBufferPointer(destination).copyMemory(from: source)
                #else
                for index in 0..<count {
                    let bits = source.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
                    destination[index] = Float(bitPattern: UInt32(littleEndian: bits))
                }
                #endif
            }
            initialized = count
        }
    }
}
