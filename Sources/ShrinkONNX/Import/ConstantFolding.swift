import ShrinkGraph

/// Evaluates ops whose inputs are all known while importing, mostly the shape arithmetic that
/// exporters emit (`Shape` → `Gather` → `Unsqueeze` → `Concat` → `Reshape`) and transposes or
/// dequantizations of weights. Symbolic integers (the batch size) pass through gathers, slices,
/// concatenations and reshapes; arithmetic on them is not folded.
enum ConstantFolding {
    /// The largest folded result (elements), so a hostile shape cannot make a huge constant.
    static let maximumElementCount = 1 << 28

    static func checkSize(_ shape: [Int], node: ONNXNode) throws(ONNXError) -> Int {
        var count = 1
        for size in shape {
            guard size >= 0 else { throw node.unsupported("negative size in shape \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= maximumElementCount else { throw .tooLarge("node '\(node.proto.name)' would make a constant of shape \(shape)") }
            count = product
        }
        return count
    }

    /// `a op b` with NumPy broadcasting (`Add`, `Sub`, `Mul`, `Div`).
    static func binary(_ type: String, _ a: ONNXConstant, _ b: ONNXConstant, node: ONNXNode) throws(ONNXError) -> ONNXConstant {
        guard let shape = ShapeArithmetic.broadcast(a.shape, b.shape) else {
            throw node.unsupported("constant shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let count = try checkSize(shape, node: node)
        let left = ShapeArithmetic.broadcastIndices(from: a.shape, to: shape)
        let right = ShapeArithmetic.broadcastIndices(from: b.shape, to: shape)
        if !a.elementType.isFloatingPoint && !b.elementType.isFloatingPoint {
            guard let x = a.integers, let y = b.integers else {
                // Adding 0 or multiplying by 1 keeps a symbolic size; anything else is not folded.
                throw node.unsupported("arithmetic on a symbolic size (the batch) is not folded")
            }
            var values = [Dimension]()
            values.reserveCapacity(count)
            for index in 0..<count {
                let p = x[left[index]], q = y[right[index]]
                let result: Int
                switch type {
                case "Add": result = p &+ q
                case "Sub": result = p &- q
                case "Mul": result = p &* q
                default:
                    guard q != 0 else { throw node.unsupported("integer division by zero") }
                    result = Int((Double(p) / Double(q)).rounded(.down))
                }
                values.append(.fixed(result))
            }
            return ONNXConstant(elementType: a.elementType, shape: shape, storage: .integers(values))
        }
        guard let x = a.floats, let y = b.floats else { throw node.unsupported("arithmetic on a symbolic size is not folded") }
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            let p = x[left[index]], q = y[right[index]]
            switch type {
            case "Add": values[index] = p + q
            case "Sub": values[index] = p - q
            case "Mul": values[index] = p * q
            default: values[index] = p / q
            }
        }
        return ONNXConstant(shape: shape, floats: values)
    }

    /// The same elements with another shape.
    static func reshaped(_ constant: ONNXConstant, to shape: [Int]) -> ONNXConstant {
        var result = constant
        result.shape = shape
        return result
    }

    /// A gather of `indices` along `axis` (ONNX `Gather`).
    static func gather(_ data: ONNXConstant, indices: [Int], indicesShape: [Int], axis: Int, node: ONNXNode) throws(ONNXError) -> ONNXConstant {
        let size = data.shape[axis]
        let outer = data.shape[..<axis].reduce(1, *), inner = data.shape[(axis + 1)...].reduce(1, *)
        let resolved = try indices.map { index throws(ONNXError) -> Int in
            let value = index < 0 ? index + size : index
            guard (0..<size).contains(value) else { throw node.unsupported("index \(index) is outside 0..<\(size)") }
            return value
        }
        let shape = Array(data.shape[..<axis]) + indicesShape + Array(data.shape[(axis + 1)...])
        _ = try checkSize(shape, node: node)
        var order = [Int]()
        for o in 0..<outer { for index in resolved { for i in 0..<inner { order.append((o * size + index) * inner + i) } } }
        return select(data, order, shape: shape)
    }

    /// Elements `order` of `data` as a tensor of `shape`.
    static func select(_ data: ONNXConstant, _ order: [Int], shape: [Int]) -> ONNXConstant {
        switch data.storage {
        case let .floats(values): ONNXConstant(elementType: data.elementType, shape: shape, storage: .floats(order.map { values[$0] }))
        case let .integers(values): ONNXConstant(elementType: data.elementType, shape: shape, storage: .integers(order.map { values[$0] }))
        }
    }

    /// The axes permuted (ONNX `Transpose`).
    static func transposed(_ data: ONNXConstant, permutation: [Int], node: ONNXNode) throws(ONNXError) -> ONNXConstant {
        guard permutation.sorted() == Array(0..<data.shape.count) else {
            throw node.unsupported("permutation \(permutation) does not fit rank \(data.shape.count)")
        }
        let shape = permutation.map { data.shape[$0] }
        let sourceStrides = ShapeArithmetic.strides(data.shape)
        let count = data.count
        let outputStrides = ShapeArithmetic.strides(shape)
        var order = [Int](repeating: 0, count: count)
        for index in 0..<count {
            var remainder = index, source = 0
            for axis in shape.indices {
                let coordinate = remainder / outputStrides[axis]
                remainder %= outputStrides[axis]
                source += coordinate * sourceStrides[permutation[axis]]
            }
            order[index] = source
        }
        return select(data, order, shape: shape)
    }

    /// Joins constants along `axis` (ONNX `Concat`).
    static func concatenated(_ parts: [ONNXConstant], axis: Int, node: ONNXNode) throws(ONNXError) -> ONNXConstant {
        let first = parts[0]
        for part in parts where part.shape.count != first.shape.count
            || zip(part.shape, first.shape).enumerated().contains(where: { $0.offset != axis && $0.element.0 != $0.element.1 }) {
            throw node.unsupported("constant shapes \(parts.map(\.shape)) cannot be joined on axis \(axis)")
        }
        let outer = first.shape[..<axis].reduce(1, *)
        var shape = first.shape
        shape[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
        _ = try checkSize(shape, node: node)
        let isFloat = parts.contains { if case .floats = $0.storage { return true } else { return false } }
        if isFloat {
            var values = [Float]()
            for o in 0..<outer {
                for part in parts {
                    guard let floats = part.floats else { throw node.unsupported("cannot join symbolic sizes with floats") }
                    let block = part.shape[axis...].reduce(1, *)
                    values += floats[(o * block)..<((o + 1) * block)]
                }
            }
            return ONNXConstant(elementType: first.elementType, shape: shape, storage: .floats(values))
        }
        var values = [Dimension]()
        for o in 0..<outer {
            for part in parts {
                let block = part.shape[axis...].reduce(1, *)
                values += part.dimensions[(o * block)..<((o + 1) * block)]
            }
        }
        return ONNXConstant(elementType: first.elementType, shape: shape, storage: .integers(values))
    }

    /// ONNX `Slice` along `axes` with `starts`, `ends` and `steps` (clamped as the spec says).
    static func sliced(_ data: ONNXConstant, starts: [Int], ends: [Int], axes: [Int], steps: [Int], node: ONNXNode) throws(ONNXError) -> ONNXConstant {
        let rank = data.shape.count
        var ranges = data.shape.map { Array(0..<$0) }
        for (position, rawAxis) in axes.enumerated() {
            let axis = try ShapeArithmetic.normalizedAxis(rawAxis, rank: rank, node: node)
            let size = data.shape[axis], step = steps[position]
            guard step != 0 else { throw node.unsupported("a slice step of 0") }
            var start = starts[position], end = ends[position]
            if start < 0 { start += size }
            if end < 0 && end > Int.min / 2 { end += size }
            if step > 0 {
                start = min(max(start, 0), size)
                end = min(max(end, 0), size)
                ranges[axis] = Array(stride(from: start, to: end, by: step))
            } else {
                start = min(max(start, -1), size - 1)
                end = min(max(end, -1), size - 1)
                ranges[axis] = Array(stride(from: start, to: end, by: step))
            }
        }
        let shape = ranges.map(\.count)
        _ = try checkSize(shape, node: node)
        let sourceStrides = ShapeArithmetic.strides(data.shape)
        var order = [0]
        for axis in 0..<rank {
            order = order.flatMap { base in ranges[axis].map { base + $0 * sourceStrides[axis] } }
        }
        return select(data, order, shape: shape)
    }

    /// ONNX `Cast` of a constant: to a floating-point type, or to integers (truncating toward zero).
    static func cast(_ data: ONNXConstant, to code: Int, node: ONNXNode) throws(ONNXError) -> ONNXConstant {
        guard let type = ONNXElementType(rawValue: code) else { throw node.unsupported("cast to \(ONNXElementType.describe(Int32(code)))") }
        if type.isFloatingPoint {
            guard let values = data.floats else { throw node.unsupported("cannot cast a symbolic size to float") }
            return ONNXConstant(elementType: type, shape: data.shape, storage: .floats(values))
        }
        if type == .bool {
            let values: [Dimension] = data.dimensions.map { $0 == .fixed(0) ? .fixed(0) : .fixed(1) }
            return ONNXConstant(elementType: type, shape: data.shape, storage: .integers(values))
        }
        return ONNXConstant(elementType: type, shape: data.shape, storage: .integers(data.dimensions))
    }
}
