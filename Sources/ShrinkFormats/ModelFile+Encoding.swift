import Foundation
import ShrinkTensor

extension ModelFile {
    /// The file's bytes (docs/FORMAT.md): preamble, section table, the JSON manifest section and
    /// one 64-byte-aligned data section holding every tensor as dense little-endian fp32.
    ///
    /// The output is deterministic: equal models give equal bytes. Throws `ModelFileError` when
    /// the model breaks a rule a reader would reject (names, shapes, limits, non-finite metadata).
    public func encoded() throws -> [UInt8] {
        try ModelFileValidation.validate(architecture)
        try ModelFileValidation.validate(metadata)
        try ModelFileValidation.validateTensorTable(tensors.map { ($0.name, $0.value.shape) })

        // Data section layout: each non-empty tensor at the next 64-byte boundary, in order.
        let encoding = TensorEncoding.denseFloat32
        let dataSectionIndex = 1
        var records: [TensorRecord] = []
        records.reserveCapacity(tensors.count)
        var dataOffsets: [Int] = []
        var dataLength = 0
        for tensor in tensors {
            let byteCount = encoding.byteCount(role: "values", elementCount: tensor.value.count)
            var offset = 0
            if byteCount > 0 {
                guard let start = alignedUp(dataLength, to: ModelFileLayout.rangeAlignment) else {
                    throw ModelFileError.invalidByteRange(tensor: tensor.name, reason: "data section too large")
                }
                offset = start
                dataLength = start + byteCount
            }
            dataOffsets.append(offset)
            records.append(
                TensorRecord(
                    name: tensor.name, kind: tensor.kind, shape: tensor.value.shape,
                    encoding: EncodingRecord(tag: encoding.tag),
                    ranges: [ByteRangeRecord(role: "values", section: dataSectionIndex, offset: offset, length: byteCount)]))
        }

        let manifest = try encodeManifest(Manifest(architecture: architecture, metadata: metadata, tensors: records))

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
            for (tensor, offset) in zip(tensors, dataOffsets) where tensor.value.count > 0 {
                let start = dataOffset + offset
                let destination = UnsafeMutableRawBufferPointer(
                    rebasing: raw[start..<start + tensor.value.count * MemoryLayout<Float>.size])
                tensor.value.withUnsafeBufferPointer { source in
                    #if _endian(little)
                    destination.copyMemory(from: UnsafeRawBufferPointer(source))
                    #else
                    for (index, value) in source.enumerated() {
                        destination.storeBytes(
                            of: value.bitPattern.littleEndian, toByteOffset: index * 4, as: UInt32.self)
                    }
                    #endif
                }
            }
        }

        let sections: [(kind: SectionKind, offset: Int, length: Int, alignment: Int)] = [
            (.manifest, manifestOffset, manifest.count, ModelFileLayout.manifestAlignment),
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
        bytes.storeLittleEndian(FormatVersion.current.major, at: 8)
        bytes.storeLittleEndian(FormatVersion.current.minor, at: 10)
        bytes.storeLittleEndian(UInt32(0), at: 12)  // flags
        bytes.storeLittleEndian(UInt64(fileLength), at: 16)
        bytes.storeLittleEndian(UInt32(sectionCount), at: 24)
        bytes.storeLittleEndian(ModelFile.headerChecksum(bytes, tableEnd: tableEnd), at: ModelFileLayout.preambleChecksumOffset)
        return bytes
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
