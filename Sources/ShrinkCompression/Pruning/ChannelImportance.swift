import ShrinkTensor

/// Ranks the channels of a group: channel `c`'s score is the sum, over the group's producers, of
/// the norm of that producer's output channel `c` (its `matrix` weights: a Linear row, a
/// convolution filter; biases are not counted, as in `StructuredPruner`). Tied channels, such
/// as the two branches of a residual Add, are thus ranked jointly.
public enum ChannelImportance {
    /// One score per channel of `group`, from `weights` by full name (`conv1.weight`).
    /// - Throws: `PruningError.missingWeight` when a producer's weight is not in `weights`,
    ///   `.channelWeightMismatch` when it is too small for the group's channels.
    public static func scores(
        of group: ChannelGroup, weights: [String: Tensor], norm: ChannelNorm = .l1
    ) throws(PruningError) -> [Double] {
        var scores = [Double](repeating: 0, count: group.channelCount)
        for slice in group.slices where slice.role == .producerOutput && slice.weightRole == .matrix {
            guard let tensor = weights[slice.weightName] else { throw .missingWeight(slice.weightName) }
            let shape = tensor.shape
            let needed = slice.offset + group.channelCount * slice.positionsPerChannel
            guard slice.axis < shape.count, shape[slice.axis] >= needed else {
                throw .channelWeightMismatch(
                    weight: slice.weightName,
                    reason: "shape \(shape) has no positions \(slice.offset)..<\(needed) on axis \(slice.axis) for group \(group.id)")
            }
            let outer = shape[..<slice.axis].reduce(1, *)
            let extent = shape[slice.axis]
            let inner = shape[(slice.axis + 1)...].reduce(1, *)
            tensor.withUnsafeBufferPointer { values in
                for channel in 0..<group.channelCount {
                    var sum = 0.0
                    for outerIndex in 0..<outer {
                        for position in slice.positions(ofChannel: channel) {
                            let start = (outerIndex * extent + position) * inner
                            for value in values[start..<start + inner] {
                                sum += norm == .l1 ? Double(abs(value)) : Double(value) * Double(value)
                            }
                        }
                    }
                    scores[channel] += norm == .l1 ? sum : sum.squareRoot()
                }
            }
        }
        return scores
    }

    /// The channels that stay (ascending) when the `count` lowest-scoring ones go; ties remove
    /// the lower index first, as `StructuredPruner`. `count` is clamped to `0...scores.count`.
    public static func keptChannels(scores: [Double], removing count: Int) -> [Int] {
        let removed = min(max(count, 0), scores.count)
        let order = scores.indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return order[removed...].sorted()
    }
}
