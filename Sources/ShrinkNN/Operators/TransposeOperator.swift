import ShrinkTensor

/// Permutes the axes (ONNX `Transpose`): output axis `i` is input axis `permutation[i]`.
/// `permutation` lists every axis, batch included, and must keep the batch axis first
/// (`permutation[0] == 0`); it is required (ONNX's default, reversing the axes, would move the
/// batch).
public struct TransposeOperator: Operator {
    public static let typeName = "Transpose"
    public static let attributeDeclarations = [AttributeDeclaration("permutation", .ints)]
    public var permutation: [Int]

    public init(permutation: [Int]) {
        self.permutation = permutation
    }

    public init(attributes: Attributes) throws(OperatorError) {
        permutation = try attributes.ints("permutation")
        guard !permutation.isEmpty else { throw OperatorError("permutation is empty; it must list every axis, batch first") }
        guard permutation.sorted() == Array(0..<permutation.count) else {
            throw OperatorError("permutation \(permutation) is not a permutation of 0..<\(permutation.count)")
        }
        guard permutation.first == 0 else {
            throw OperatorError("permutation \(permutation) moves the batch axis; it must start with 0")
        }
    }

    public var attributes: Attributes { ["permutation": .ints(permutation)] }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        guard inputShapes[0].rank == permutation.count else {
            throw OperatorError("permutation \(permutation) has \(permutation.count) axes, the input \(inputShapes[0].rank)")
        }
        return [ValueShape(permutation.map { inputShapes[0][$0] })]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        TransposeKernel(name: name, permutation: permutation)
    }
}

/// Runs `Transpose`; backward applies the inverse permutation to the output gradient.
final class TransposeKernel: OperatorKernel {
    let name: String
    let permutation: [Int]
    let inversePermutation: [Int]
    private var hasTrainingForward = false

    init(name: String, permutation: [Int]) {
        self.name = name
        self.permutation = permutation
        var inverse = [Int](repeating: 0, count: permutation.count)
        for (outputAxis, inputAxis) in permutation.enumerated() { inverse[inputAxis] = outputAxis }
        inversePermutation = inverse
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        precondition(inputs[0].rank == permutation.count,
                     "Transpose '\(name)': permutation \(permutation) does not fit input shape \(inputs[0].shape)")
        hasTrainingForward = mode == .training
        return [Self.permute(inputs[0], by: permutation)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        precondition(hasTrainingForward, "Transpose '\(name)': backward without a training forward pass")
        return [needsInputGradients[0] ? Self.permute(outputGradients[0], by: inversePermutation) : nil]
    }

    /// `input` with output axis `i` taken from input axis `permutation[i]`.
    static func permute(_ input: Tensor, by permutation: [Int]) -> Tensor {
        let inputShape = input.shape, rank = inputShape.count
        var inputStrides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { inputStrides[axis] = inputStrides[axis + 1] * inputShape[axis + 1] }
        let outputShape = permutation.map { inputShape[$0] }
        let strides = permutation.map { inputStrides[$0] }
        let count = input.count
        guard count > 0 else { return Tensor(zeros: outputShape) }
        // Walk the output in order; the innermost output axis reads the input with a stride.
        let rowLength = outputShape[rank - 1], rowStride = strides[rank - 1]
        let scalars = [Float].uninitialized(count: count) { output in
            input.withUnsafeBufferPointer { source in
                var index = [Int](repeating: 0, count: rank - 1)
                var offset = 0
                for row in 0..<(count / rowLength) {
                    let target = output + row * rowLength, base = source.baseAddress! + offset
                    for element in 0..<rowLength { target[element] = base[element * rowStride] }
                    var axis = rank - 2
                    while axis >= 0 {
                        index[axis] += 1
                        offset += strides[axis]
                        if index[axis] < outputShape[axis] { break }
                        offset -= strides[axis] * outputShape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return Tensor(shape: outputShape, scalars: scalars)
    }
}
