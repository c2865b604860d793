import ShrinkTensor

/// One weight-shared (clustered) parameter: its palette and which centroid, if any, is the
/// reserved zero of pruned weights.
///
/// **Pruned weights.** When a parameter was pruned (it has a mask), clustering reserves palette
/// index 0 for the pruned positions with centroid exactly 0, and clusters only the kept weights
/// into at most `2^bits − 1` centroids at indices `1...`. So `centroids[indices[i]]` is the
/// value of every element (the invariant `Palette` documents), kept weights never use index 0,
/// and a sparse encoding can store only the positions whose index is not 0 while a dense
/// palettized encoding (and relative-index padding entries) still has a code for zero.
/// Without a mask, every index addresses a learned centroid and there is no reserved zero.
public struct SharedWeights: Equatable, Sendable {
    /// The parameter's full name (`fc1.weight`).
    public let parameterName: String
    /// The codebook and per-element indices; only centroids change during fine-tuning.
    public var palette: Palette
    /// Whether index 0 is the reserved, fixed zero of pruned positions.
    public let reservesZero: Bool

    public init(parameterName: String, palette: Palette, reservesZero: Bool) {
        precondition(!reservesZero || palette.centroids.first == 0, "a reserved zero needs centroid 0 at index 0")
        self.parameterName = parameterName
        self.palette = palette
        self.reservesZero = reservesZero
    }

    /// The first centroid fine-tuning may move (1 when index 0 is the reserved zero).
    public var firstTrainableCentroid: Int { reservesZero ? 1 : 0 }

    /// The gradient of every centroid (Deep Compression eq. 3): the sum of the gradients of the
    /// elements that share it. The reserved zero's entry is 0 (it never moves).
    public func centroidGradients(elementGradients: Tensor) -> [Float] {
        precondition(elementGradients.count == palette.indices.count,
                     "\(parameterName): \(elementGradients.count) gradients for \(palette.indices.count) indices")
        var sums = [Double](repeating: 0, count: palette.centroids.count)
        elementGradients.withUnsafeBufferPointer { gradients in
            palette.indices.withUnsafeBufferPointer { indices in
                sums.withUnsafeMutableBufferPointer { sums in
                    for element in 0..<indices.count { sums[Int(indices[element])] += Double(gradients[element]) }
                }
            }
        }
        if reservesZero { sums[0] = 0 }
        return sums.map { Float($0) }
    }

    /// Writes `centroids[indices[i]]` into every element of `value`.
    public func writeValues(into value: inout Tensor) {
        precondition(value.count == palette.indices.count,
                     "\(parameterName): \(value.count) values for \(palette.indices.count) indices")
        palette.centroids.withUnsafeBufferPointer { centroids in
            palette.indices.withUnsafeBufferPointer { indices in
                value.withUnsafeMutableBufferPointer { values in
                    for element in 0..<indices.count { values[element] = centroids[Int(indices[element])] }
                }
            }
        }
    }
}
