import ShrinkEncodings
import ShrinkNN
import ShrinkTensor
@testable import ShrinkFormats

/// A model whose tensors use every `coded` form: f16, affine per tensor and per channel, palette
/// with f32 and f16 centroids, dense and sparse, with and without Huffman-coded streams.
enum CodedFixtures {
    /// Values with `zeroFraction` of them replaced by zero.
    static func pruned(_ count: Int, zeroFraction: Double, using generator: inout SeededRandomNumberGenerator) -> [Float] {
        (0..<count).map { _ in
            let value = Float(Double(generator.next() % 2_000_000) / 1_000_000 - 1)
            return Double(generator.next() % 1_000) / 1_000 < zeroFraction ? 0 : value
        }
    }

    /// Palette indices: 0 (the pruned zero) with probability `zeroFraction`, else skewed toward
    /// small indices so Huffman coding pays off.
    static func paletteIndices(_ count: Int, bits: Int, zeroFraction: Double, using generator: inout SeededRandomNumberGenerator) -> [UInt16] {
        (0..<count).map { _ in
            if Double(generator.next() % 1_000) / 1_000 < zeroFraction { return 0 }
            let a = Int(generator.next() % UInt64((1 << bits) - 1)), b = Int(generator.next() % UInt64((1 << bits) - 1))
            return UInt16(1 + min(a, b))
        }
    }

    static func centroids(_ count: Int) -> [Float] {
        [0] + (1..<count).map { Float($0 - count / 2) * 0.037 }
    }

    static func model(seed: UInt64 = 3) throws -> ModelFile {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let affinePerTensor = try CodedTensor.affine(
            quantizing: pruned(2, zeroFraction: 0, using: &generator), bits: 8, isSigned: true, scales: [0.01], zeroPoints: [0])
        let affinePerChannel = try CodedTensor.affine(
            quantizing: pruned(54, zeroFraction: 0.7, using: &generator), bits: 4, isSigned: false,
            scales: [0.1, 0.2, 0.15], zeroPoints: [8, 7, 9])
        let palette = try CodedTensor.palette(
            indices: paletteIndices(2_000, bits: 5, zeroFraction: 0.6, using: &generator), centroids: centroids(32), bits: 5,
            centroidFormat: .float16)
        let palette8 = try CodedTensor.palette(
            indices: paletteIndices(600, bits: 8, zeroFraction: 0.5, using: &generator), centroids: centroids(256), bits: 8)
        return ModelFile(
            architecture: Fixtures.architecture,
            tensors: [
                try StoredTensor(name: "conv1.weight", shape: [2, 1, 3, 3],
                                 encoding: StoredEncoding(coded: .float16(pruned(18, zeroFraction: 0.3, using: &generator)))),
                StoredTensor(name: "conv1.bias", value: .randomNormal(shape: [2], using: &generator)),
                try StoredTensor(name: "bn1.weight", shape: [2], encoding: StoredEncoding(coded: affinePerTensor)),
                try StoredTensor(name: "fc1.weight", shape: [3, 18],
                                 encoding: StoredEncoding(coded: affinePerChannel, layout: .sparse(gapBits: 3), huffmanCoding: true)),
                try StoredTensor(name: "big.palette", shape: [40, 50],
                                 encoding: StoredEncoding(coded: palette, layout: .sparse(gapBits: 5), huffmanCoding: true)),
                try StoredTensor(name: "big.palette8", shape: [600],
                                 encoding: StoredEncoding(coded: palette8, layout: .dense)),
                try StoredTensor(name: "big.float", kind: .buffer, shape: [30, 30],
                                 encoding: StoredEncoding(coded: .float32(pruned(900, zeroFraction: 0.95, using: &generator)),
                                                          layout: .sparse(gapBits: 4), huffmanCoding: true)),
                try StoredTensor(name: "empty", shape: [0, 3],
                                 encoding: StoredEncoding(coded: .float16([]), layout: .sparse(gapBits: 8))),
                try StoredTensor(name: "scalar", kind: .buffer, shape: [], encoding: StoredEncoding(coded: .float16([2.5]))),
            ],
            metadata: ModelMetadata(producer: "shrink test"))
    }

    static let validBytes: [UInt8] = {
        do {
            return try model().encoded()
        } catch {
            fatalError("coded fixture does not encode: \(error)")
        }
    }()
}
