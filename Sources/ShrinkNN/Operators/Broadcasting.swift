/// NumPy-style broadcasting of the operands of `Add`, `Sub`, `Mul` and `Div`:
///
/// - every operand has the same rank (a constant operand is first padded with leading 1s,
///   `ConstantOperand`);
/// - on every axis, each operand's size is the output's or 1: `[batch, C, 1, 1]` scales
///   `[batch, C, H, W]`, a `[1, C, H, W]` operand is shared by every sample, and a
///   `[batch, 1, H, W]` one by every channel;
/// - symbolic sizes (the batch) broadcast only against an equal symbol or 1.
///
/// An operand broadcast along the channel axis 1 does not carry the output's channels one to
/// one; structured pruning then leaves the channels of every operand in place
/// (`ChannelGroupObstacle.misalignedChannels`).
enum Broadcasting {
    /// The output shape of operands of these shapes, or an error naming the first operand that
    /// does not fit.
    static func outputShape(_ shapes: [ValueShape]) throws(OperatorError) -> ValueShape {
        var output = shapes[0]
        for (position, shape) in shapes.enumerated().dropFirst() {
            guard shape.rank == output.rank else {
                throw OperatorError("input \(position) has rank \(shape.rank), input 0 rank \(output.rank); operands need equal ranks")
            }
            for axis in 0..<shape.rank {
                let current = output[axis], next = shape[axis]
                if current == next || next == .fixed(1) { continue }
                guard current == .fixed(1) else {
                    throw OperatorError("input \(position) \(shape) does not broadcast on axis \(axis) (\(next) vs \(current))")
                }
                output[axis] = next
            }
        }
        return output
    }

    /// The output shape of concrete operand shapes (a kernel's runtime check), or nil when they
    /// do not broadcast.
    static func outputShape(concrete shapes: [[Int]]) -> [Int]? {
        try? outputShape(shapes.map { ValueShape($0.map { Dimension.fixed($0) }) }).concrete([:])
    }
}

/// How to walk an output and operands broadcast into it: the output's axes with adjacent
/// contiguous axes merged, each operand's stride per merged axis (0 where it is broadcast), and
/// the innermost merged axis as rows for tight loops.
struct BroadcastPlan {
    /// The merged axis sizes, outermost first (at least one).
    let sizes: [Int]
    /// For each operand, its element stride on each merged axis.
    let strides: [[Int]]

    /// The plan for operands of `operandShapes` broadcast into `outputShape` (all the same rank).
    init(outputShape: [Int], operandShapes: [[Int]]) {
        let operandStrides = operandShapes.map { shape -> [Int] in
            var strides = [Int](repeating: 0, count: shape.count)
            var stride = 1
            for axis in shape.indices.reversed() {
                strides[axis] = shape[axis] == 1 ? 0 : stride
                stride *= shape[axis]
            }
            return strides
        }
        // Axes of size 1 do not move anything; merge an axis into the one inside it when every
        // operand steps over the inner axis exactly as far as one step of the outer axis.
        var sizes = [Int](), strides = [[Int]](repeating: [], count: operandShapes.count)
        for axis in outputShape.indices.reversed() where outputShape[axis] != 1 {
            let mergeable = !sizes.isEmpty && strides.indices.allSatisfy { operandStrides[$0][axis] == strides[$0][0] * sizes[0] }
            if mergeable {
                sizes[0] *= outputShape[axis]
            } else {
                sizes.insert(outputShape[axis], at: 0)
                for operand in strides.indices { strides[operand].insert(operandStrides[operand][axis], at: 0) }
            }
        }
        if sizes.isEmpty {
            sizes = [1]
            strides = strides.map { _ in [0] }
        }
        self.sizes = sizes
        self.strides = strides
    }

    /// The number of elements in one row (the innermost merged axis).
    var rowLength: Int { sizes[sizes.count - 1] }

    /// Each operand's stride along a row (0 or 1).
    var rowStrides: [Int] { strides.map { $0[$0.count - 1] } }

    /// Calls `body` for every row with the row's output offset and each operand's offset.
    func forEachRow(_ body: (_ outputOffset: Int, _ operandOffsets: [Int]) -> Void) {
        let outerAxes = sizes.count - 1
        let rowCount = sizes.dropLast().reduce(1, *)
        guard rowCount > 0, rowLength > 0 else { return }
        var index = [Int](repeating: 0, count: outerAxes)
        var offsets = [Int](repeating: 0, count: strides.count)
        for row in 0..<rowCount {
            body(row * rowLength, offsets)
            var axis = outerAxes - 1
            while axis >= 0 {
                index[axis] += 1
                for operand in offsets.indices { offsets[operand] += strides[operand][axis] }
                if index[axis] < sizes[axis] { break }
                for operand in offsets.indices { offsets[operand] -= strides[operand][axis] * sizes[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
