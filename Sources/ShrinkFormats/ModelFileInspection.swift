import ShrinkEncodings

/// A decoded model file with a report of how each tensor is stored (`ModelFile.inspect(_:)`).
public struct ModelFileInspection: Sendable {
    /// The decoded model.
    public var model: ModelFile
    /// One report per tensor, in file order.
    public var tensors: [TensorStorageReport]
    /// The file's size in bytes.
    public var fileLength: Int
    /// The format version the file declares.
    public var formatVersion: FormatVersion
}

/// How one tensor is stored: its encoding and the lengths of its byte ranges.
public struct TensorStorageReport: Equatable, Sendable {
    /// One byte range: its role and length in bytes.
    public struct Range: Equatable, Sendable {
        /// The range's role (`values`, `payload`, `gap-codes`, …).
        public var role: String
        /// Its length in bytes.
        public var length: Int
    }

    /// The tensor's name.
    public var name: String
    /// Its shape.
    public var shape: [Int]
    /// The encoding tag (`dense-f32`, `coded`).
    public var tag: String
    /// The `coded` descriptor; `nil` for `dense-f32`.
    public var descriptor: EncodingDescriptor?
    /// Whether the sparse gap stream is Huffman-coded.
    public var huffmanGaps: Bool
    /// Whether the sparse element-code stream is Huffman-coded.
    public var huffmanValues: Bool
    /// The byte ranges, in manifest order.
    public var ranges: [Range]

    /// The number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Bytes the tensor's ranges occupy (after Huffman coding, without alignment padding).
    public var storedByteCount: Int { ranges.reduce(0) { $0 + $1.length } }

    /// Bytes without Huffman coding: the `TensorCodec` payload (`4 · elements` for `dense-f32`).
    public var unentropyCodedByteCount: Int {
        guard let descriptor else { return storedByteCount }
        return (try? descriptor.byteCount()) ?? storedByteCount
    }

    /// Bits per stored element code (32 for `dense-f32`).
    public var weightBits: Int { descriptor?.format.codeBits ?? 32 }

    /// Bits per sparse relative index (0 when dense).
    public var indexBits: Int {
        if case let .sparse(gapBits)? = descriptor?.layout { return gapBits }
        return 0
    }

    /// A short human description, e.g. `sparse palette 5-bit (f32 centroids), 5-bit gaps, huffman gaps+values`.
    public var encodingDescription: String {
        guard let descriptor else { return tag }
        var text: String
        switch descriptor.format {
        case .float32: text = "f32"
        case .float16: text = "f16"
        case let .affine(bits, isSigned, channelCount):
            text = "\(isSigned ? "int" : "uint")\(bits) affine" + (channelCount > 1 ? " per-channel" : "")
        case let .palette(bits, centroidCount, centroidFormat):
            text = "palette \(bits)-bit \(centroidCount)×\(centroidFormat == .float32 ? "f32" : "f16")"
        }
        if case let .sparse(gapBits) = descriptor.layout {
            text = "sparse \(text), \(gapBits)-bit gaps"
            let coded = [huffmanGaps ? "gaps" : nil, huffmanValues ? "values" : nil].compactMap { $0 }
            if !coded.isEmpty { text += ", huffman " + coded.joined(separator: "+") }
        }
        return text
    }
}
