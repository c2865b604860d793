import Foundation
import ShrinkTensor

extension ModelFile {
    /// The file's bytes (docs/FORMAT.md): preamble, section table, the JSON manifest section
    /// (DEFLATE-compressed `MNFZ` when a tensor is `coded`) and
    /// one 64-byte-aligned data section holding every tensor's byte ranges (`dense-f32`, or `coded`
    /// for tensors with an `encoding`).
    ///
    /// The output is deterministic: equal models give equal bytes. Throws `ModelFileError` when
    /// the model breaks a rule a reader would reject (names, shapes, limits, non-finite metadata).
    public func encoded() throws -> [UInt8] {
        try ModelFileValidation.validate(metadata)
        try ModelFileValidation.validateTensorTable(tensors.map { ($0.name, $0.value.shape) })
        _ = try ModelFileValidation.validate(graph, tensors: tensors.map { ($0.name, $0.value.shape, $0.kind) })
        try ModelFileValidation.validate(activationQuantization, graph: graph)

        // Data section layout, in order: the ranges of a Huffman form directly after the previous
        // byte (format 1.2; they are decoded, never mapped), every other non-empty range at the
        // next 64-byte boundary.
        let dataSectionIndex = 1
        var records: [TensorRecord] = []
        records.reserveCapacity(tensors.count)
        var placed: [(offset: Int, bytes: [UInt8])] = []
        var dataLength = 0
        for tensor in tensors {
            let plan = try Self.storagePlan(of: tensor)
            let isHuffmanForm = plan.encoding.huffmanGaps == true || plan.encoding.huffmanValues == true
            var ranges: [ByteRangeRecord] = []
            for range in plan.ranges {
                var offset = 0
                if !range.bytes.isEmpty {
                    let alignment = isHuffmanForm ? 1 : ModelFileLayout.rangeAlignment
                    guard let start = alignedUp(dataLength, to: alignment) else {
                        throw ModelFileError.invalidByteRange(tensor: tensor.name, reason: "data section too large")
                    }
                    offset = start
                    dataLength = start + range.bytes.count
                    placed.append((offset, range.bytes))
                }
                ranges.append(ByteRangeRecord(role: range.role, section: dataSectionIndex, offset: offset, length: range.bytes.count))
            }
            records.append(
                TensorRecord(name: tensor.name, kind: tensor.kind, shape: tensor.value.shape, encoding: plan.encoding, ranges: ranges))
        }

        // Files with coded tensors (format 1.2) store the manifest DEFLATE-compressed (`MNFZ`):
        // at 30 KB a JSON manifest is a tenth of a compressed model. Uncompressed models keep
        // the plain `MNFT` of format 1.0, so every 1.x reader reads them.
        let isCoded = tensors.contains { $0.encoding != nil }
        let activationRecords = activationQuantization.keys.sorted().map {
            ActivationQuantizationRecord(value: $0, parameters: activationQuantization[$0]!)
        }
        let json = try encodeManifest(Manifest(graph: GraphRecord(graph.withoutDefaultAttributes()), activationQuantization: activationRecords,
                                               metadata: metadata, tensors: records))
        let manifest = isCoded ? try ManifestCompression.compress(json) : json
        let manifestKind: SectionKind = isCoded ? .compressedManifest : .manifest

        // File layout: preamble, table of two sections, manifest, padding, data.
        let sectionCount = 2
        let tableEnd = ModelFileLayout.preambleLength + sectionCount * ModelFileLayout.sectionEntryLength
        let manifestOffset = alignedUp(tableEnd, to: ModelFileLayout.manifestAlignment) ?? tableEnd
        let manifestEnd = manifestOffset + manifest.count
        guard let dataOffset = alignedUp(manifestEnd, to: ModelFileLayout.dataAlignment),
            case (let fileLength, false) = dataOffset.addingReportingOverflow(dataLength)
        else {
            throw ModelFileError.invalidManifest("file too large")
        }

        var bytes = [UInt8](repeating: 0, count: fileLength)
        bytes.replaceSubrange(manifestOffset..<manifestEnd, with: manifest)
        bytes.withUnsafeMutableBytes { raw in
            for range in placed {
                let start = dataOffset + range.offset
                range.bytes.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + source.count]).copyMemory(from: source)
                }
            }
        }

        let sections: [(kind: SectionKind, offset: Int, length: Int, alignment: Int)] = [
            (manifestKind, manifestOffset, manifest.count, ModelFileLayout.manifestAlignment),
            (.tensorData, dataOffset, dataLength, ModelFileLayout.dataAlignment),
        ]
        for (index, section) in sections.enumerated() {
            let entry = ModelFileLayout.preambleLength + index * ModelFileLayout.sectionEntryLength
            bytes.replaceSubrange(entry..<entry + 4, with: section.kind.array)
            bytes.storeLittleEndian(ModelFileLayout.requiredSectionFlag, at: entry + 4)
            bytes.storeLittleEndian(UInt64(section.offset), at: entry + 8)
            bytes.storeLittleEndian(UInt64(section.length), at: entry + 16)
            bytes.storeLittleEndian(UInt32(section.alignment), at: entry + 24)
            let checksum = Checksum.crc32(bytes, section.offset..<section.offset + section.length)
            bytes.storeLittleEndian(checksum, at: entry + 28)
        }

        bytes.replaceSubrange(0..<8, with: ModelFileLayout.magic)
        // Format 2.0: the manifest holds a graph (1.x readers cannot express it and refuse the
        // file by its major version). The minor version is the lowest that holds what this file
        // uses, so files without 2.1's `metadata.imported` stay byte-identical 2.0 files.
        let version = metadata.imported == nil ? FormatVersion(major: 2, minor: 0) : FormatVersion.current
        bytes.storeLittleEndian(version.major, at: 8)
        bytes.storeLittleEndian(version.minor, at: 10)
        bytes.storeLittleEndian(UInt32(0), at: 12)  // flags
        bytes.storeLittleEndian(UInt64(fileLength), at: 16)
        bytes.storeLittleEndian(UInt32(sectionCount), at: 24)
        bytes.storeLittleEndian(ModelFile.headerChecksum(bytes, tableEnd: tableEnd), at: ModelFileLayout.preambleChecksumOffset)
        return bytes
    }

    /// The encoding record and range contents of one tensor: `dense-f32` for tensors without an
    /// encoding, else the `coded` plan (checked to decode to the tensor's value bit for bit).
    static func storagePlan(of tensor: StoredTensor) throws -> CodedStorage.Plan {
        guard let encoding = tensor.encoding else {
            var values = [UInt8](repeating: 0, count: tensor.value.count * MemoryLayout<Float>.size)
            values.withUnsafeMutableBytes { destination in
                tensor.value.withUnsafeBufferPointer { source in
                    for (index, value) in source.enumerated() {
                        destination.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 4, as: UInt32.self)
                    }
                }
            }
            return CodedStorage.Plan(encoding: EncodingRecord(tag: TensorEncoding.denseFloat32.tag), ranges: [("values", values)])
        }
        guard encoding.coded.elementCount == tensor.value.count,
            encoding.coded.values().map(\.bitPattern) == tensor.value.scalars.map(\.bitPattern)
        else {
            throw ModelFileError.invalidEncoding(tensor: tensor.name, reason: "the stored value differs from the decoded encoding")
        }
        return try CodedStorage.plan(name: tensor.name, encoding: encoding)
    }

    /// CRC-32 over preamble bytes 0..<28 followed by the section table.
    static func headerChecksum(_ bytes: [UInt8], tableEnd: Int) -> UInt32 {
        let preamble = Checksum.crc32(bytes, 0..<ModelFileLayout.preambleChecksumOffset)
        return Checksum.crc32(bytes, ModelFileLayout.preambleLength..<tableEnd, continuing: preamble)
    }

    private func encodeManifest(_ manifest: Manifest) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json: [UInt8]
        do {
            json = Array(try encoder.encode(manifest))
        } catch {
            throw ModelFileError.invalidManifest("cannot encode: \(error)")
        }
        if json.count > ModelFileLimits.maximumManifestLength {
            throw ModelFileError.manifestTooLarge(length: UInt64(json.count), limit: ModelFileLimits.maximumManifestLength)
        }
        // The reader applies the same strict checks; failing here keeps unreadable files unwritten.
        try StrictJSONValidator.validate(json)
        return json
    }
}
