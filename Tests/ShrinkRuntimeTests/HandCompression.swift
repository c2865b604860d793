import ShrinkEncodings
import ShrinkFormats
import ShrinkNN
import ShrinkTensor

/// How the tests store every Linear weight of a model (other tensors stay fp32).
enum HandEncoding {
    case float32
    case float16
    case int8
    /// Affine codes of `bits` bits, min-max over each output channel (or, `perTensor`, the whole
    /// tensor) including 0: non-zero zero points.
    case affine(bits: Int, isSigned: Bool, perTensor: Bool)
    case palette(bits: Int)
    /// Keeps about `keep` of the weights (random mask), stored sparse with a palette whose
    /// centroid 0 is the zero.
    case sparsePalette(keep: Float, bits: Int)
    /// Keeps about `keep` of the weights, stored sparse as fp32.
    case sparseFloat(keep: Float)
    /// Keeps about `keep` of the weights, stored sparse as signed symmetric per-channel codes of
    /// `bits` bits (zero point 0, so pruned entries are code 0).
    case sparseAffine(keep: Float, bits: Int)
}

enum HandCompression {
    /// A random model of `graph` whose Linear weights are stored as `encoding`, written
    /// to bytes and decoded back (so the plan reads what a file holds).
    /// With `convolutions`, convolution weights ([out, in, k, k], coded as [out, in·k²]) too.
    static func file(_ graph: Graph, encoding: HandEncoding, seed: UInt64,
                     convolutions: Bool = false) throws -> ModelFile {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let model = try GraphNetwork(graph: graph, generator: &generator)
        let codedTypes: Set<String> = convolutions ? ["Linear", "Conv2D"] : ["Linear"]
        let linearWeights = Set(model.graph.nodes.filter { codedTypes.contains($0.operatorType) }.map { $0.weightName("weight") })
        var tensors = [StoredTensor]()
        for parameter in model.parameters {
            guard linearWeights.contains(parameter.name) else {
                tensors.append(StoredTensor(parameter))
                continue
            }
            let shape = parameter.value.shape
            let coded = try code(parameter.value.scalars, rows: shape[0], encoding: encoding, generator: &generator)
            tensors.append(try StoredTensor(name: parameter.name, kind: parameter.kind, shape: shape, encoding: coded))
        }
        let bytes = try ModelFile(graph: model.graph, tensors: tensors).encoded()
        return try ModelFile.decode(bytes)
    }

    static func code(_ values: [Float], rows: Int, encoding: HandEncoding,
                     generator: inout SeededRandomNumberGenerator) throws -> StoredEncoding {
        let columns = values.count / rows
        switch encoding {
        case .float32:
            return StoredEncoding(coded: .float32(values))
        case .float16:
            return StoredEncoding(coded: .float16(values))
        case let .affine(bits, isSigned, perTensor):
            let channels = perTensor ? 1 : rows, size = values.count / channels
            let range = ElementFormat.affineCodeRange(bits: bits, isSigned: isSigned)
            var scales = [Float](), zeroPoints = [Int32]()
            for channel in 0..<channels {
                let slice = values[(channel * size)..<((channel + 1) * size)]
                let low = min(slice.min() ?? 0, 0), high = max(slice.max() ?? 0, 0)
                let scale = max(high - low, 1e-6) / Float(range.upperBound - range.lowerBound)
                let zero = (Float(range.lowerBound) - low / scale).rounded()
                scales.append(scale)
                zeroPoints.append(min(max(Int32(zero), range.lowerBound), range.upperBound))
            }
            return StoredEncoding(coded: try .affine(quantizing: values, bits: bits, isSigned: isSigned, scales: scales,
                                                     zeroPoints: zeroPoints))
        case .int8:
            let bits = 8
            let limit = Float((1 << (bits - 1)) - 1)
            let scales = (0..<rows).map { row in
                max(values[(row * columns)..<((row + 1) * columns)].map(abs).max() ?? 0, 1e-6) / limit
            }
            return StoredEncoding(coded: try .affine(quantizing: values, bits: bits, isSigned: true, scales: scales,
                                                     zeroPoints: [Int32](repeating: 0, count: rows)))
        case let .palette(bits):
            let (indices, centroids) = palettize(values, bits: bits, reserveZero: false)
            return StoredEncoding(coded: try .palette(indices: indices, centroids: centroids, bits: bits))
        case let .sparsePalette(keep, bits):
            let pruned = prune(values, keep: keep, generator: &generator)
            let (indices, centroids) = palettize(pruned, bits: bits, reserveZero: true)
            return StoredEncoding(coded: try .palette(indices: indices, centroids: centroids, bits: bits),
                                  layout: .sparse(gapBits: 5))
        case let .sparseAffine(keep, bits):
            let pruned = prune(values, keep: keep, generator: &generator)
            let limit = Float((1 << (bits - 1)) - 1)
            let scales = (0..<rows).map { row in max(pruned[(row * columns)..<((row + 1) * columns)].map(abs).max() ?? 0, 1e-6) / limit }
            return StoredEncoding(coded: try .affine(quantizing: pruned, bits: bits, isSigned: true, scales: scales,
                                                     zeroPoints: [Int32](repeating: 0, count: rows)),
                                  layout: .sparse(gapBits: 4))
        case let .sparseFloat(keep):
            return StoredEncoding(coded: .float32(prune(values, keep: keep, generator: &generator)),
                                  layout: .sparse(gapBits: 8))
        }
    }

    /// Zeroes each weight with probability 1 − keep.
    static func prune(_ values: [Float], keep: Float, generator: inout SeededRandomNumberGenerator) -> [Float] {
        values.map { generator.nextUniform() < keep ? $0 : 0 }
    }

    /// Evenly spaced centroids over [min, max] (centroid 0 is exactly 0 when `reserveZero`,
    /// and zeros map to it), each value to its nearest centroid.
    static func palettize(_ values: [Float], bits: Int, reserveZero: Bool) -> (indices: [UInt16], centroids: [Float]) {
        let count = 1 << bits
        let nonZero = reserveZero ? values.filter { $0 != 0 } : values
        let low = nonZero.min() ?? 0, high = nonZero.max() ?? 0
        let levels = reserveZero ? count - 1 : count
        let step = levels > 1 ? (high - low) / Float(levels - 1) : 0
        let grid = (0..<levels).map { low + Float($0) * step }
        let centroids = reserveZero ? [0] + grid : grid
        let indices = values.map { value -> UInt16 in
            if reserveZero && value == 0 { return 0 }
            let position = step > 0 ? Int(((value - low) / step).rounded()) : 0
            return UInt16(min(max(position, 0), levels - 1) + (reserveZero ? 1 : 0))
        }
        return (indices, centroids)
    }
}
