import ShrinkEncodings
import ShrinkGraph
import ShrinkNN
import ShrinkTensor
@testable import ShrinkFormats

/// A model whose tensors use every `coded` form: f16, affine per tensor and per channel, palette
/// with f32 and f16 centroids, dense and sparse, with and without Huffman-coded streams, a coded
/// buffer and an all-zero sparse tensor (an empty payload range).
enum CodedFixtures {
    /// `conv1` (Conv2D 1→2, 3×3, pad 1) → `bn1` → `relu1` → `pool1` (max 2/2) → `pool2` (average
    /// 1/1) → `flatten` (18) → `dropout` → `fc1` (18→50) → `relu2` → `fc2` (50→40) → `relu3` →
    /// `fc3` (40→15) → `fc4` (15→3): weights large enough for every coded form.
    static let graph: Graph = {
        var builder = GraphBuilder(name: "coded-test", inputShape: [1, 6, 6])
        var value = builder.add(
            "conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 2, window: WindowGeometry(square: 3, padding: 1)),
            builder.input)
        value = builder.add("bn1", BatchNormalizationOperator(channels: 2), value)
        value = builder.add("relu1", ReLUOperator(), value)
        value = builder.add("pool1", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), value)
        value = builder.add("pool2", AveragePool2DOperator(window: WindowGeometry(square: 1)), value)
        value = builder.add("flatten", FlattenOperator(), value)
        value = builder.add("dropout", DropoutOperator(rate: 0.5), value)
        value = builder.add("fc1", LinearOperator(inputFeatures: 18, outputFeatures: 50), value)
        value = builder.add("relu2", ReLUOperator(), value)
        value = builder.add("fc2", LinearOperator(inputFeatures: 50, outputFeatures: 40), value)
        value = builder.add("relu3", ReLUOperator(), value)
        value = builder.add("fc3", LinearOperator(inputFeatures: 40, outputFeatures: 15), value)
        builder.add("fc4", LinearOperator(inputFeatures: 15, outputFeatures: 3), value)
        return builder.finish()
    }()

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

    /// `count` centroids, the first one zero.
    static func centroids(_ count: Int) -> [Float] {
        [0] + (1..<count).map { Float($0 - count / 2) * 0.037 }
    }

    /// The model: exactly the weights `graph` declares, in node order.
    static func model(seed: UInt64 = 3) throws -> ModelFile {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let affinePerTensor = try CodedTensor.affine(
            quantizing: pruned(2, zeroFraction: 0, using: &generator), bits: 8, isSigned: true, scales: [0.01], zeroPoints: [0])
        let affinePerChannel = try CodedTensor.affine(
            quantizing: pruned(45, zeroFraction: 0.7, using: &generator), bits: 4, isSigned: false,
            scales: [0.1, 0.2, 0.15], zeroPoints: [8, 7, 9])
        let palette = try CodedTensor.palette(
            indices: paletteIndices(2_000, bits: 5, zeroFraction: 0.6, using: &generator), centroids: centroids(32), bits: 5,
            centroidFormat: .float16)
        let palette8 = try CodedTensor.palette(
            indices: paletteIndices(600, bits: 8, zeroFraction: 0.5, using: &generator), centroids: centroids(256), bits: 8)
        return ModelFile(
            graph: graph,
            tensors: [
                try StoredTensor(name: "conv1.weight", shape: [2, 1, 3, 3],
                                 encoding: StoredEncoding(coded: .float16(pruned(18, zeroFraction: 0.3, using: &generator)))),
                StoredTensor(name: "conv1.bias", value: .randomNormal(shape: [2], using: &generator)),
                try StoredTensor(name: "bn1.weight", shape: [2], encoding: StoredEncoding(coded: affinePerTensor)),
                StoredTensor(name: "bn1.bias", value: .randomNormal(shape: [2], using: &generator)),
                try StoredTensor(name: "bn1.running_mean", kind: .buffer, shape: [2], encoding: StoredEncoding(coded: .float16([2.5, -0.5]))),
                StoredTensor(name: "bn1.running_var", kind: .buffer, value: Tensor(shape: [2], scalars: [1, 0.5])),
                try StoredTensor(name: "fc1.weight", shape: [50, 18],
                                 encoding: StoredEncoding(coded: .float32(pruned(900, zeroFraction: 0.95, using: &generator)),
                                                          layout: .sparse(gapBits: 4), huffmanCoding: true)),
                StoredTensor(name: "fc1.bias", value: .randomNormal(shape: [50], using: &generator)),
                try StoredTensor(name: "fc2.weight", shape: [40, 50],
                                 encoding: StoredEncoding(coded: palette, layout: .sparse(gapBits: 5), huffmanCoding: true)),
                StoredTensor(name: "fc2.bias", value: .randomNormal(shape: [40], using: &generator)),
                try StoredTensor(name: "fc3.weight", shape: [15, 40], encoding: StoredEncoding(coded: palette8, layout: .dense)),
                StoredTensor(name: "fc3.bias", value: .randomNormal(shape: [15], using: &generator)),
                try StoredTensor(name: "fc4.weight", shape: [3, 15],
                                 encoding: StoredEncoding(coded: affinePerChannel, layout: .sparse(gapBits: 3), huffmanCoding: true)),
                // All zero and sparse: no entries, so its payload range is empty.
                try StoredTensor(name: "fc4.bias", shape: [3], encoding: StoredEncoding(coded: .float16([0, 0, 0]), layout: .sparse(gapBits: 8))),
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
