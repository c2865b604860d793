import ShrinkTensor

/// How structured pruning cuts one weight tensor: the indices kept along each sliced axis (any
/// axes, not only the first two as `TensorSelection`), with concatenation offsets and
/// flattened-feature spans already turned into plain indices.
public struct WeightSlicing: Hashable, Sendable {
    /// The weight's shape before pruning.
    public var originalShape: [Int]
    /// The kept indices of each sliced axis, ascending; axes not listed are kept whole.
    public var keptIndices: [Int: [Int]]

    public init(originalShape: [Int], keptIndices: [Int: [Int]]) {
        self.originalShape = originalShape
        self.keptIndices = keptIndices
    }

    /// The weight's shape after pruning.
    public var slicedShape: [Int] {
        originalShape.indices.map { keptIndices[$0]?.count ?? originalShape[$0] }
    }

    /// The kept part of `tensor`, which must have `originalShape`.
    public func apply(to tensor: Tensor) -> Tensor {
        let shape = tensor.shape
        precondition(shape == originalShape, "slicing planned for \(originalShape) applied to \(shape)")
        let rank = shape.count
        let indices = (0..<rank).map { axis in keptIndices[axis] ?? Array(0..<shape[axis]) }
        for (axis, kept) in indices.enumerated() {
            precondition(kept.allSatisfy { $0 >= 0 && $0 < shape[axis] }, "kept index out of range on axis \(axis) of \(shape)")
        }
        var strides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        // The trailing axes kept whole are copied as one contiguous block.
        var outerRank = rank
        while outerRank > 0, keptIndices[outerRank - 1] == nil { outerRank -= 1 }
        let block = shape[outerRank...].reduce(1, *)
        let newShape = slicedShape
        var scalars = [Float]()
        let count = newShape.reduce(1, *)
        guard count > 0 else { return Tensor(shape: newShape, scalars: []) }
        scalars.reserveCapacity(count)
        tensor.withUnsafeBufferPointer { values in
            var counters = [Int](repeating: 0, count: outerRank)
            while true {
                var start = 0
                for axis in 0..<outerRank { start += indices[axis][counters[axis]] * strides[axis] }
                scalars.append(contentsOf: values[start..<start + block])
                var axis = outerRank - 1
                while axis >= 0 {
                    counters[axis] += 1
                    if counters[axis] < indices[axis].count { break }
                    counters[axis] = 0
                    axis -= 1
                }
                if axis < 0 { break }
            }
        }
        return Tensor(shape: newShape, scalars: scalars)
    }
}
