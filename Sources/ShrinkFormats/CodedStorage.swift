import ShrinkEncodings

/// The `coded` encoding's byte ranges: how the writer splits a tensor into them, what lengths the
/// reader accepts, and how the reader turns them back into a `CodedTensor` (docs/FORMAT.md).
enum CodedStorage {
    /// A tensor's manifest encoding record and range contents, in role order.
    struct Plan {
        var encoding: EncodingRecord
        var ranges: [(role: String, bytes: [UInt8])]
    }

    /// The longest Huffman code the writer builds.
    static let maximumHuffmanLength = 15

    /// The writer's plan for `tensor`: one `payload` range, or, for a sparse tensor whose
    /// Huffman-coded streams are smaller (both rounded up to the 64-byte range alignment), the split
    /// form with `side-table`, `gaps` or `gap-lengths`+`gap-codes`, and `values` or
    /// `value-lengths`+`value-codes`.
    static func plan(name: String, encoding stored: StoredEncoding) throws -> Plan {
        func fail(_ error: EncodingError) -> ModelFileError { .invalidEncoding(tensor: name, reason: error.description) }
        let encoded: EncodedTensor
        do { encoded = try TensorCodec.encode(stored.coded, layout: stored.layout) } catch { throw fail(error) }
        let descriptor = encoded.descriptor
        let plain = Plan(encoding: EncodingRecord(tag: TensorEncoding.coded.tag, descriptor: descriptor),
                         ranges: [(CodedRole.payload, encoded.payload)])
        guard stored.huffmanCoding, case let .sparse(gapBits) = stored.layout, descriptor.entryCount > 0 else { return plain }
        let streams: RelativeIndexing.Streams
        do { streams = try RelativeIndexing.split(stored.coded, gapBits: gapBits) } catch { throw fail(error) }
        let sideCount = stored.coded.format.sideTableByteCount ?? 0
        let side = Array(encoded.payload[0..<sideCount])

        /// The stream bit-packed, or its Huffman table and coded bits when those are smaller.
        func choose(_ symbols: [UInt32], bits: Int) throws -> (huffman: Bool, ranges: [[UInt8]]) {
            let packed: [UInt8]
            do { packed = try BitPacking.pack(symbols, bits: bits) } catch { throw fail(error) }
            guard bits <= 16 else { return (false, [packed]) }
            do {
                let frequencies = try HuffmanCode.frequencies(of: symbols, alphabetSize: 1 << bits)
                let alphabet = (frequencies.lastIndex { $0 > 0 } ?? -1) + 1
                let code = try HuffmanCode(frequencies: Array(frequencies[..<alphabet]), maximumLength: maximumHuffmanLength)
                let bitCount = code.encodedBitCount(frequencies: Array(frequencies[..<alphabet]))
                if code.serializedByteCount + (bitCount + 7) / 8 < packed.count {
                    return (true, [code.serialized(), try code.encode(symbols)])
                }
            } catch { throw fail(error) }
            return (false, [packed])
        }
        let gaps = try choose(streams.gaps, bits: gapBits)
        let values = try choose(streams.codes, bits: stored.coded.format.codeBits)
        guard gaps.huffman || values.huffman else { return plain }
        var ranges: [(role: String, bytes: [UInt8])] = [(CodedRole.sideTable, side)]
        ranges += gaps.huffman
            ? [(CodedRole.gapLengths, gaps.ranges[0]), (CodedRole.gapCodes, gaps.ranges[1])] : [(CodedRole.gaps, gaps.ranges[0])]
        ranges += values.huffman
            ? [(CodedRole.valueLengths, values.ranges[0]), (CodedRole.valueCodes, values.ranges[1])]
            : [(CodedRole.values, values.ranges[0])]
        // The writer places a Huffman form's ranges back to back from a 64-byte boundary.
        func alignedTotal(_ ranges: [(role: String, bytes: [UInt8])]) -> Int {
            alignedUp(ranges.reduce(0) { $0 + $1.bytes.count }, to: ModelFileLayout.rangeAlignment) ?? Int.max / 2
        }
        guard alignedTotal(ranges) < alignedTotal(plain.ranges) else { return plain }
        return Plan(
            encoding: EncodingRecord(tag: TensorEncoding.coded.tag, descriptor: descriptor,
                                     huffmanGaps: gaps.huffman, huffmanValues: values.huffman),
            ranges: ranges)
    }

    /// The roles and lengths a `coded` record needs, checked against its shape's element count
    /// and the limits without allocating anything.
    static func expectedRanges(_ record: TensorRecord, elementCount: Int) throws -> [(role: String, length: RangeLength)] {
        let name = record.name
        guard let descriptor = record.encoding.descriptor else {
            throw ModelFileError.invalidEncoding(tensor: name, reason: "encoding coded needs a descriptor")
        }
        guard descriptor.elementCount == elementCount else {
            throw ModelFileError.invalidEncoding(
                tensor: name, reason: "descriptor declares \(descriptor.elementCount) elements; shape \(record.shape) has \(elementCount)")
        }
        let payloadLength: Int
        do {
            payloadLength = try descriptor.validate(maximumElements: ModelFileLimits.maximumElementCount)
        } catch {
            throw ModelFileError.invalidEncoding(tensor: name, reason: "descriptor: \(error)")
        }
        let huffmanGaps = record.encoding.huffmanGaps ?? false
        let huffmanValues = record.encoding.huffmanValues ?? false
        guard huffmanGaps || huffmanValues else { return [(CodedRole.payload, .exactly(payloadLength))] }
        guard case let .sparse(gapBits) = descriptor.layout else {
            throw ModelFileError.invalidEncoding(tensor: name, reason: "Huffman-coded streams need a sparse layout")
        }
        let codeBits = descriptor.format.codeBits
        if huffmanValues && codeBits > 16 {
            throw ModelFileError.invalidEncoding(tensor: name, reason: "\(codeBits)-bit element codes cannot be Huffman-coded (at most 16)")
        }
        let entries = descriptor.entryCount
        // validate() bounded every count, so none of these overflow.
        func huffman(_ bits: Int) -> (table: RangeLength, stream: RangeLength) {
            (.atMost(5 + BitPacking.packedByteCount(count: 1 << bits, bits: 5)),
             .atMost(BitPacking.packedByteCount(count: entries, bits: HuffmanCode.maximumSupportedLength)))
        }
        var ranges: [(role: String, length: RangeLength)] = [(CodedRole.sideTable, .exactly(descriptor.format.sideTableByteCount ?? 0))]
        if huffmanGaps {
            let lengths = huffman(gapBits)
            ranges += [(CodedRole.gapLengths, lengths.table), (CodedRole.gapCodes, lengths.stream)]
        } else {
            ranges.append((CodedRole.gaps, .exactly(BitPacking.packedByteCount(count: entries, bits: gapBits))))
        }
        if huffmanValues {
            let lengths = huffman(codeBits)
            ranges += [(CodedRole.valueLengths, lengths.table), (CodedRole.valueCodes, lengths.stream)]
        } else {
            ranges.append((CodedRole.values, .exactly(BitPacking.packedByteCount(count: entries, bits: codeBits))))
        }
        return ranges
    }

    /// Decodes a validated `coded` record from its ranges' bytes (by role); `labels` name each
    /// range's section for messages.
    static func decode(
        _ record: TensorRecord, elementCount: Int, bytes: [String: [UInt8]], labels: [String: String]
    ) throws -> StoredEncoding {
        let name = record.name
        guard let descriptor = record.encoding.descriptor else {
            throw ModelFileError.invalidEncoding(tensor: name, reason: "encoding coded needs a descriptor")
        }
        var payload: [UInt8]
        var huffmanUsed = false
        if let whole = bytes[CodedRole.payload] {
            payload = whole
        } else {
            guard case let .sparse(gapBits) = descriptor.layout else {
                throw ModelFileError.invalidEncoding(tensor: name, reason: "Huffman-coded streams need a sparse layout")
            }
            huffmanUsed = true
            payload = bytes[CodedRole.sideTable] ?? []
            func stream(packed: String, lengths: String, codes: String, bits: Int) throws -> [UInt8] {
                if let plain = bytes[packed] { return plain }
                let tableBytes = bytes[lengths] ?? [], streamBytes = bytes[codes] ?? []
                let location = "byte ranges \(quoted(lengths)) and \(quoted(codes)) in \(labels[codes] ?? "its DATA section")"
                do {
                    let (code, used) = try HuffmanCode.deserialize(from: tableBytes, maximumAlphabetSize: 1 << bits)
                    guard used == tableBytes.count else {
                        throw ModelFileError.invalidEncoding(
                            tensor: name, reason: "\(location): the code table takes \(used) of the range's \(tableBytes.count) bytes")
                    }
                    let symbols = try code.decode(streamBytes, symbolCount: descriptor.entryCount, maximumElements: descriptor.entryCount)
                    return try BitPacking.pack(symbols, bits: bits)
                } catch let error as EncodingError {
                    throw ModelFileError.invalidEncoding(tensor: name, reason: "\(location): \(error)")
                }
            }
            payload += try stream(packed: CodedRole.gaps, lengths: CodedRole.gapLengths, codes: CodedRole.gapCodes, bits: gapBits)
            payload += try stream(
                packed: CodedRole.values, lengths: CodedRole.valueLengths, codes: CodedRole.valueCodes, bits: descriptor.format.codeBits)
        }
        do {
            let coded = try TensorCodec.decode(payload, descriptor: descriptor, maximumElements: elementCount)
            return StoredEncoding(coded: coded, layout: descriptor.layout, huffmanCoding: huffmanUsed)
        } catch {
            let location = labels.values.sorted().first ?? "its DATA section"
            throw ModelFileError.invalidEncoding(tensor: name, reason: "payload in \(location): \(error)")
        }
    }
}
