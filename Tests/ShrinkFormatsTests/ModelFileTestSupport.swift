import Foundation
import ShrinkGraph
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// Shared fixtures and file-crafting helpers for the model file tests.
enum Fixtures {
    /// A small graph touching every op type with attributes: `conv1` (Conv2D 1→2, 3×3, pad 1) →
    /// `bn1` → `relu1` → `pool1` (max 2/1) → `pool2` (average 2/2) → `flatten` (8) → `dropout`
    /// (0.25) → `fc1` (Linear 8→3). Weights, in node order: `conv1.weight` [2, 1, 3, 3],
    /// `conv1.bias` [2], `bn1.weight`, `bn1.bias`, `bn1.running_mean` (buffer), `bn1.running_var`
    /// (buffer) [2], `fc1.weight` [3, 8], `fc1.bias` [3].
    static let graph: Graph = {
        var builder = GraphBuilder(name: "tiny-test", inputShape: [1, 6, 6])
        var value = builder.add(
            "conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 2, window: WindowGeometry(square: 3, padding: 1)),
            builder.input)
        value = builder.add("bn1", BatchNormalizationOperator(channels: 2), value)
        value = builder.add("relu1", ReLUOperator(), value)
        value = builder.add("pool1", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 1)), value)
        value = builder.add("pool2", AveragePool2DOperator(window: WindowGeometry(square: 2, stride: 2)), value)
        value = builder.add("flatten", FlattenOperator(), value)
        value = builder.add("dropout", DropoutOperator(rate: 0.25), value)
        builder.add("fc1", LinearOperator(inputFeatures: 8, outputFeatures: 3), value)
        return builder.finish()
    }()

    /// Static activation quantization of three values of `graph` (unsigned, signed, 4-bit).
    static let activationQuantization: [String: ActivationQuantization] = [
        "input": ActivationQuantization(scale: 0.02, zeroPoint: -5, bits: 8, isSigned: true),
        "relu1": ActivationQuantization(scale: 0.05, zeroPoint: 0),
        "flatten": ActivationQuantization(scale: 0.0625, zeroPoint: 3, bits: 4),
    ]

    static let metadata = ModelMetadata(
        producer: "shrink 0.1.0", createdAt: "2026-01-31T12:00:00Z",
        training: TrainingSummary(
            dataset: "mnist", epochs: 3, seed: UInt64.max, optimizer: "sgd momentum 0.9",
            finalTrainingLoss: 0.0625, testAccuracy: 0.9871, trainingSeconds: 12.5),
        notes: "line one\nline two — ünïcode")

    /// The weights `graph`'s ops declare (full name, shape, kind), in node order.
    static func declaredWeights(of graph: Graph) -> [(name: String, shape: [Int], kind: Parameter.Kind)] {
        do {
            return try ResolvedGraph(graph, registry: .standard).weights.map { ($0.name, $0.declaration.shape, $0.declaration.kind) }
        } catch {
            fatalError("fixture graph \(graph.name) is invalid: \(error)")
        }
    }

    /// Random normal values for every weight `graph` declares, in node order (dense `dense-f32`).
    static func randomTensors(for graph: Graph, seed: UInt64) -> [StoredTensor] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return declaredWeights(of: graph).map { weight in
            StoredTensor(name: weight.name, kind: weight.kind, value: .randomNormal(shape: weight.shape, using: &generator))
        }
    }

    /// A valid model of `graph` with exactly its declared weights, activation quantization and metadata.
    static func model(seed: UInt64 = 1) -> ModelFile {
        ModelFile(graph: graph, tensors: randomTensors(for: graph, seed: seed),
                  activationQuantization: activationQuantization, metadata: metadata)
    }

    /// The encoded bytes of `model()`.
    static let validBytes: [UInt8] = {
        do {
            return try model().encoded()
        } catch {
            fatalError("fixture does not encode: \(error)")
        }
    }()

    /// The encoded bytes of a model of `graph` with random dense weights and default metadata.
    static func bytes(of graph: Graph, seed: UInt64 = 1) -> [UInt8] {
        do {
            return try ModelFile(graph: graph, tensors: randomTensors(for: graph, seed: seed)).encoded()
        } catch {
            fatalError("graph \(graph.name) does not encode: \(error)")
        }
    }

    /// The directory of the committed format 1.2 files (found from this source file's path).
    static let formatOneDirectory: String = {
        let path = "\(#filePath)"
        let directory = path[..<(path.lastIndex(of: "/") ?? path.endIndex)]
        return directory + "/Fixtures/format-1.2"
    }()
}

/// Whether two tensors have the same shape and the same bit patterns.
func bitwiseEqual(_ first: Tensor, _ second: Tensor) -> Bool {
    first.shape == second.shape && first.scalars.map(\.bitPattern) == second.scalars.map(\.bitPattern)
}

/// Whether two model files are equal: graph, activation quantization, metadata, and tensor names,
/// kinds and values bit for bit.
func bitwiseEqual(_ first: ModelFile, _ second: ModelFile) -> Bool {
    first.graph == second.graph && first.activationQuantization == second.activationQuantization
        && first.metadata == second.metadata
        && first.tensors.count == second.tensors.count
        && zip(first.tensors, second.tensors).allSatisfy { pair in
            pair.0.name == pair.1.name && pair.0.kind == pair.1.kind && bitwiseEqual(pair.0.value, pair.1.value)
        }
}

/// Decodes `bytes` and expects a `ModelFileError` that `matches`, whose one-line message contains
/// every string in `containing`.
func expectRejection(
    _ bytes: [UInt8], containing: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
    _ matches: (ModelFileError) -> Bool
) {
    do {
        _ = try ModelFile.decode(bytes)
        Issue.record("decoding succeeded; expected a rejection", sourceLocation: sourceLocation)
    } catch let error as ModelFileError {
        #expect(matches(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
        let message = error.description
        #expect(!message.contains("\n"), "message is not one line: \(message)", sourceLocation: sourceLocation)
        for text in containing {
            #expect(message.contains(text), "message \(message) lacks \(text)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
    }
}

/// Whether `error` is `invalidManifest`.
func isInvalidManifest(_ error: ModelFileError) -> Bool {
    if case .invalidManifest = error { true } else { false }
}

/// Whether `error` is `invalidGraph`.
func isInvalidGraph(_ error: ModelFileError) -> Bool {
    if case .invalidGraph = error { true } else { false }
}

/// A container taken apart into its sections, to be reassembled with correct layout and
/// checksums after a test changes something.
struct RawContainer {
    struct Section {
        var kind: [UInt8]
        var flags: UInt32 = 1
        var alignment: UInt32
        var payload: [UInt8]
    }

    var major: UInt16 = 2
    var minor: UInt16 = 0
    var flags: UInt32 = 0
    var sections: [Section] = []

    /// Parses a valid file (no validation beyond what a well-formed fixture needs).
    init(_ bytes: [UInt8]) {
        major = bytes.littleEndianUInt16(at: 8)
        minor = bytes.littleEndianUInt16(at: 10)
        flags = bytes.littleEndianUInt32(at: 12)
        let count = Int(bytes.littleEndianUInt32(at: 24))
        for index in 0..<count {
            let entry = 32 + 32 * index
            let offset = Int(bytes.littleEndianUInt64(at: entry + 8))
            let length = Int(bytes.littleEndianUInt64(at: entry + 16))
            sections.append(
                Section(
                    kind: Array(bytes[entry..<entry + 4]), flags: bytes.littleEndianUInt32(at: entry + 4),
                    alignment: bytes.littleEndianUInt32(at: entry + 24), payload: Array(bytes[offset..<offset + length])))
        }
    }

    /// The manifest JSON as text (an `MNFZ` section is inflated to read it and re-compressed
    /// when it is set).
    var manifest: String {
        get {
            let payload = sections[manifestIndex].payload
            guard isCompressedManifest else { return String(decoding: payload, as: UTF8.self) }
            return String(decoding: try! ManifestCompression.decompress(payload[...], label: "test"), as: UTF8.self)
        }
        set {
            let json = Array(newValue.utf8)
            sections[manifestIndex].payload = isCompressedManifest ? try! ManifestCompression.compress(json) : json
        }
    }

    /// Whether the manifest section is the compressed `MNFZ` (files with coded tensors).
    var isCompressedManifest: Bool { sections[manifestIndex].kind == Array("MNFZ".utf8) }

    private var manifestIndex: Int {
        sections.firstIndex { $0.kind == Array("MNFT".utf8) || $0.kind == Array("MNFZ".utf8) } ?? 0
    }

    /// The file with sections laid out contiguously at their alignments and all checksums and
    /// lengths correct.
    func assembled() -> [UInt8] {
        let tableEnd = 32 + 32 * sections.count
        var offsets: [Int] = []
        var cursor = tableEnd
        for section in sections {
            let alignment = max(Int(section.alignment), 1)
            let offset = (cursor + alignment - 1) / alignment * alignment
            offsets.append(offset)
            cursor = offset + section.payload.count
        }
        var bytes = [UInt8](repeating: 0, count: cursor)
        bytes.replaceSubrange(0..<8, with: ModelFileLayout.magic)
        bytes.storeLittleEndian(major, at: 8)
        bytes.storeLittleEndian(minor, at: 10)
        bytes.storeLittleEndian(flags, at: 12)
        bytes.storeLittleEndian(UInt64(cursor), at: 16)
        bytes.storeLittleEndian(UInt32(sections.count), at: 24)
        for (index, section) in sections.enumerated() {
            let entry = 32 + 32 * index
            bytes.replaceSubrange(offsets[index]..<offsets[index] + section.payload.count, with: section.payload)
            bytes.replaceSubrange(entry..<entry + 4, with: section.kind)
            bytes.storeLittleEndian(section.flags, at: entry + 4)
            bytes.storeLittleEndian(UInt64(offsets[index]), at: entry + 8)
            bytes.storeLittleEndian(UInt64(section.payload.count), at: entry + 16)
            bytes.storeLittleEndian(section.alignment, at: entry + 24)
            bytes.storeLittleEndian(section.payload.withUnsafeBytes { Checksum.crc32($0) }, at: entry + 28)
        }
        resealHeader(&bytes)
        return bytes
    }
}

/// Recomputes the preamble CRC after a test edits the preamble or section table.
func resealHeader(_ bytes: inout [UInt8]) {
    guard bytes.count >= 32 else { return }
    let count = Int(bytes.littleEndianUInt32(at: 24))
    let tableEnd = 32 + 32 * min(count, 64)
    guard bytes.count >= tableEnd else { return }
    bytes.storeLittleEndian(ModelFile.headerChecksum(bytes, tableEnd: tableEnd), at: 28)
}

/// Recomputes every in-bounds section CRC, then the preamble CRC.
func resealAll(_ bytes: inout [UInt8]) {
    guard bytes.count >= 32 else { return }
    let count = min(Int(bytes.littleEndianUInt32(at: 24)), 64)
    guard bytes.count >= 32 + 32 * count else { return }
    for index in 0..<count {
        let entry = 32 + 32 * index
        let offset = bytes.littleEndianUInt64(at: entry + 8)
        let length = bytes.littleEndianUInt64(at: entry + 16)
        guard offset <= UInt64(bytes.count), length <= UInt64(bytes.count) - offset else { continue }
        let range = Int(offset)..<Int(offset + length)
        bytes.storeLittleEndian(Checksum.crc32(bytes, range), at: entry + 28)
    }
    resealHeader(&bytes)
}

/// The file with `change` applied to its manifest text and everything resealed.
func withManifest(_ bytes: [UInt8] = Fixtures.validBytes, _ change: (inout String) -> Void) -> [UInt8] {
    var container = RawContainer(bytes)
    var text = container.manifest
    change(&text)
    container.manifest = text
    return container.assembled()
}

/// The file with `change` applied to its decoded 2.x manifest (graph, activation quantization,
/// tensor table records), re-encoded as the writer does (sorted keys) and resealed. For graphs the
/// writer refuses but the schema can express: cycles, duplicates, unknown ops, wrong attributes.
func withManifestRecord(_ bytes: [UInt8] = Fixtures.validBytes, _ change: (inout Manifest) -> Void) -> [UInt8] {
    withManifest(bytes) { text in
        do {
            var manifest = try JSONDecoder().decode(Manifest.self, from: Data(text.utf8))
            change(&manifest)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            text = String(decoding: try encoder.encode(manifest), as: UTF8.self)
        } catch {
            Issue.record("cannot rewrite the manifest: \(error)")
        }
    }
}

/// Replaces the first occurrence of `target`, recording an issue when it is absent.
func replaceFirst(_ target: String, with replacement: String, in text: inout String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let range = text.range(of: target) else {
        Issue.record("manifest lacks \(target)", sourceLocation: sourceLocation)
        return
    }
    text.replaceSubrange(range, with: replacement)
}

/// A fresh directory under /tmp made with mkdtemp (plain paths: no `URL`, whose percent-encoder
/// has crashed under parallel tests on this toolchain).
func makeTemporaryDirectory(prefix: String) -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(created != nil, "mkdtemp failed")
    return String(cString: created!)
}
