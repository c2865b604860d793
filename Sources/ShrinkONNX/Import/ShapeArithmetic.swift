import ShrinkGraph

/// Axis and shape helpers shared by the converters.
enum ShapeArithmetic {
    /// `axis` in `0..<rank` (negative axes count from the end), or an error naming the node.
    static func normalizedAxis(_ axis: Int, rank: Int, node: ONNXNode) throws(ONNXError) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard (0..<rank).contains(normalized) else { throw node.unsupported("axis \(axis) is outside rank \(rank)") }
        return normalized
    }

    /// The product of `sizes`, or nil when one is negative or the product overflows (sizes from
    /// a file are untrusted).
    static func product(_ sizes: [Int]) -> Int? {
        var result = 1
        for size in sizes {
            guard size >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            result = next
        }
        return result
    }

    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            result[axis] = stride
            stride *= shape[axis]
        }
        return result
    }

    /// The NumPy broadcast of two shapes, or nil.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        let paddedA = [Int](repeating: 1, count: rank - a.count) + a, paddedB = [Int](repeating: 1, count: rank - b.count) + b
        var result = [Int]()
        for (x, y) in zip(paddedA, paddedB) {
            guard x == y || x == 1 || y == 1 else { return nil }
            result.append(x == 1 ? y : x)
        }
        return result
    }

    /// For each element of `output` (row-major), the index of the element of a tensor of `shape`
    /// broadcast into it.
    static func broadcastIndices(from shape: [Int], to output: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: output.count - shape.count) + shape
        let sourceStrides = strides(padded)
        let count = output.reduce(1, *)
        var result = [Int](repeating: 0, count: count)
        let outputStrides = strides(output)
        for index in 0..<count {
            var remainder = index, source = 0
            for axis in output.indices {
                let coordinate = remainder / outputStrides[axis]
                remainder %= outputStrides[axis]
                if padded[axis] != 1 { source += coordinate * sourceStrides[axis] }
            }
            result[index] = source
        }
        return result
    }
}
