import ShrinkTensor

/// Joins any number of inputs along `axis` (ONNX `Concat`; `torch.cat`). Inputs have equal
/// ranks and equal sizes on every other axis; their sizes on `axis` must be fixed and add up.
/// A negative `axis` counts from the end; the batch axis 0 cannot be joined.
///
/// Along the channel axis (`axis = 1` exactly) the coupling is `.concatenation`: structured
/// pruning removes an input channel and the matching output channel, and the output's size
/// follows the inputs' (nothing in the attributes changes). Other axes are `.opaque`.
public struct ConcatenationOperator: Operator {
    public static let typeName = "Concat"
    public static let attributeDeclarations = [AttributeDeclaration("axis", .int, default: .int(1))]
    public var axis: Int

    public init(axis: Int = 1) {
        self.axis = axis
    }

    public init(attributes: Attributes) throws(OperatorError) {
        axis = try attributes.int("axis")
        guard axis != 0 else { throw OperatorError("axis 0 is the batch axis; concatenate along axis 1 or later") }
    }

    public var attributes: Attributes { ["axis": .int(axis)] }

    public var inputCount: ClosedRange<Int> { 1...Int.max }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        let first = inputShapes[0]
        let axis = try ShapeChecks.axis(axis, rank: first.rank)
        var total = 0
        for (position, shape) in inputShapes.enumerated() {
            guard shape.rank == first.rank else {
                throw OperatorError("input \(position) has rank \(shape.rank), input 0 rank \(first.rank)")
            }
            for other in 0..<shape.rank where other != axis && shape[other] != first[other] {
                throw OperatorError("input \(position) differs from input 0 on axis \(other) (\(shape[other]) vs \(first[other]))")
            }
            guard let size = shape[axis].fixedValue else {
                throw OperatorError("input \(position) has symbolic size \(shape[axis]) on the concatenated axis \(axis)")
            }
            total += size
        }
        var output = first
        output[axis] = .fixed(total)
        return [output]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }

    public var channelCoupling: ChannelCoupling { axis == 1 ? .concatenation : .opaque }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        ConcatenationKernel(name: name, axis: axis)
    }
}

/// Runs `Concat`: copies each input's blocks into the output; backward slices them back out.
final class ConcatenationKernel: OperatorKernel {
    let name: String
    let axis: Int
    /// The input shapes of the last training forward pass.
    private var cachedInputShapes: [[Int]]?

    init(name: String, axis: Int) {
        self.name = name
        self.axis = axis
    }

    /// The resolved axis, the number of outer blocks (the product of the sizes before the
    /// axis), each input's block length and the output's block length.
    private func layout(_ shapes: [[Int]]) -> (axis: Int, outerCount: Int, blocks: [Int], outputBlock: Int) {
        let rank = shapes[0].count
        let axis = axis < 0 ? axis + rank : axis
        precondition(axis > 0 && axis < rank && shapes.allSatisfy { $0.count == rank },
                     "Concat '\(name)': axis \(self.axis) does not fit input shapes \(shapes)")
        let outerCount = shapes[0][..<axis].reduce(1, *)
        let blocks = shapes.map { $0[axis...].reduce(1, *) }
        return (axis, outerCount, blocks, blocks.reduce(0, +))
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let shapes = inputs.map(\.shape)
        let (axis, outerCount, blocks, outputBlock) = layout(shapes)
        for shape in shapes {
            precondition(shape[..<axis] == shapes[0][..<axis] && shape[(axis + 1)...] == shapes[0][(axis + 1)...],
                         "Concat '\(name)': input shapes \(shapes) differ off axis \(axis)")
        }
        cachedInputShapes = mode == .training ? shapes : nil
        var outputShape = shapes[0]
        outputShape[axis] = shapes.reduce(0) { $0 + $1[axis] }
        let scalars = [Float].uninitialized(count: outerCount * outputBlock) { output in
            var start = 0
            for (input, block) in zip(inputs, blocks) {
                input.withUnsafeBufferPointer { source in
                    for outer in 0..<outerCount {
                        VectorLoops.copy(source.baseAddress! + outer * block, to: output + outer * outputBlock + start, count: block)
                    }
                }
                start += block
            }
        }
        return [Tensor(shape: outputShape, scalars: scalars)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let shapes = cachedInputShapes else { preconditionFailure("Concat '\(name)': backward without a training forward pass") }
        let (_, outerCount, blocks, outputBlock) = layout(shapes)
        var start = 0
        var gradients = [Tensor?]()
        outputGradients[0].withUnsafeBufferPointer { source in
            for (position, shape) in shapes.enumerated() {
                let block = blocks[position], offset = start
                start += block
                guard needsInputGradients[position] else {
                    gradients.append(nil)
                    continue
                }
                let scalars = [Float].uninitialized(count: outerCount * block) { target in
                    for outer in 0..<outerCount {
                        VectorLoops.copy(source.baseAddress! + outer * outputBlock + offset, to: target + outer * block, count: block)
                    }
                }
                gradients.append(Tensor(shape: shape, scalars: scalars))
            }
        }
        return gradients
    }
}
