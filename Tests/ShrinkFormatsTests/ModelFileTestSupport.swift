import Foundation
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// Shared fixtures and file-crafting helpers for the model file tests.
enum Fixtures {
    /// A small architecture touching every layer type with hyper-parameters.
    static let architecture = ModelArchitecture(
        name: "tiny-test",
        inputShape: [1, 6, 6],
        layers: [
            NamedLayerSpecification(
                name: "conv1",
                layer: .convolution2D(
                    inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 1, padding: 1, hasBias: true)),
            NamedLayerSpecification(name: "bn1", layer: .batchNormalization2D(channels: 2, epsilon: 1e-5, momentum: 0.1)),
            NamedLayerSpecification(name: "relu1", layer: .relu),
            NamedLayerSpecification(name: "pool1", layer: .maxPool2D(kernelSize: 2, stride: 2)),
            NamedLayerSpecification(name: "flatten", layer: .flatten),
            NamedLayerSpecification(name: "dropout", layer: .dropout(rate: 0.25)),
            NamedLayerSpecification(name: "fc1", layer: .linear(inputFeatures: 18, outputFeatures: 3, hasBias: true)),
        ])

    static let metadata = ModelMetadata(
        producer: "shrink 0.1.0", createdAt: "2026-01-31T12:00:00Z",
        training: TrainingSummary(
            dataset: "mnist", epochs: 3, seed: UInt64.max, optimizer: "sgd momentum 0.9",
            finalTrainingLoss: 0.0625, testAccuracy: 0.9871, trainingSeconds: 12.5),
        notes: "line one\nline two — ünïcode")

    /// A valid model with several tensors, including a scalar and an empty tensor.
    static func model(seed: UInt64 = 1) -> ModelFile {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return ModelFile(
            architecture: architecture,
            tensors: [
                StoredTensor(name: "conv1.weight", value: .randomNormal(shape: [2, 1, 3, 3], using: &generator)),
                StoredTensor(name: "conv1.bias", value: .randomNormal(shape: [2], using: &generator)),
                StoredTensor(name: "bn1.weight", value: .randomNormal(shape: [2], using: &generator)),
                StoredTensor(name: "bn1.running_mean", kind: .buffer, value: .randomNormal(shape: [2], using: &generator)),
                StoredTensor(name: "bn1.step", kind: .buffer, value: Tensor(shape: [], scalars: [7])),
                StoredTensor(name: "fc1.weight", value: .randomNormal(shape: [3, 18], using: &generator)),
                StoredTensor(name: "fc1.bias", value: .randomNormal(shape: [3], using: &generator)),
                StoredTensor(name: "fc1.unused", value: Tensor(zeros: [0, 3])),
            ],
            metadata: metadata)
    }

    /// The encoded bytes of `model()`.
    static let validBytes: [UInt8] = {
        do {
            return try model().encoded()
        } catch {
            fatalError("fixture does not encode: \(error)")
        }
    }()
}

/// Whether two tensors have the same shape and the same bit patterns.
func bitwiseEqual(_ first: Tensor, _ second: Tensor) -> Bool {
    first.shape == second.shape && first.scalars.map(\.bitPattern) == second.scalars.map(\.bitPattern)
}

/// Whether two model files are equal, comparing tensor values bit for bit.
func bitwiseEqual(_ first: ModelFile, _ second: ModelFile) -> Bool {
    first.architecture == second.architecture && first.metadata == second.metadata
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

/// A container taken apart into its sections, to be reassembled with correct layout and
/// checksums after a test changes something.
struct RawContainer {
    struct Section {
        var kind: [UInt8]
        var flags: UInt32 = 1
        var alignment: UInt32
        var payload: [UInt8]
    }

    var major: UInt16 = 1
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

    /// Whether the manifest section is the compressed `MNFZ` (format 1.2 files with coded tensors).
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

/// Replaces the first occurrence of `target`, recording an issue when it is absent.
func replaceFirst(_ target: String, with replacement: String, in text: inout String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let range = text.range(of: target) else {
        Issue.record("manifest lacks \(target)", sourceLocation: sourceLocation)
        return
    }
    text.replaceSubrange(range, with: replacement)
}
