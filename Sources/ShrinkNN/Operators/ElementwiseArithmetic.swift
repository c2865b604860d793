import ShrinkTensor

/// An element-wise arithmetic op (`Add`, `Sub`, `Mul`, `Div`): two activations broadcast as
/// `Broadcasting` describes, or one activation and a constant the node owns
/// (`ConstantOperand`). Channels are tied (`.elementwise`); a constant that differs per channel
/// is sliced with them.
public protocol ElementwiseArithmetic: Operator {
    /// The constant operand, when the node owns one.
    var constant: ConstantOperand? { get set }
    init(constant: ConstantOperand?)
    /// Whether the operand order matters (`Sub`, `Div`): such ops read `constant_first`.
    static var isOrdered: Bool { get }
    /// The initial value of a constant: the identity of the operation (0 or 1).
    static var neutralConstant: Float { get }
    /// The kernel combining the operands, the constant (if any) passed as one more operand.
    func makeOperandKernel(name: String) -> any OperatorKernel
}

extension ElementwiseArithmetic {
    public static var attributeDeclarations: [AttributeDeclaration] { ConstantOperand.declarations(ordered: isOrdered) }

    public init(attributes: Attributes) throws(OperatorError) {
        self.init(constant: try ConstantOperand.read(attributes, ordered: Self.isOrdered))
    }

    public var attributes: Attributes { ConstantOperand.attributes(of: constant, ordered: Self.isOrdered) }

    /// Two activations, or one with a constant.
    public var inputCount: ClosedRange<Int> { constant == nil ? 2...2 : 1...1 }

    public var weights: [WeightDeclaration] { constant.map { [$0.declaration] } ?? [] }

    /// A constant starts as `neutralConstant` everywhere (the node then passes its input through).
    public func initialWeights(generator: inout SeededRandomNumberGenerator) -> [Tensor] {
        constant.map { [Tensor(repeating: Self.neutralConstant, shape: $0.shape)] } ?? []
    }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        if let constant { return [try constant.outputShape(input: inputShapes[0])] }
        return [try Broadcasting.outputShape(inputShapes)]
    }

    public var channelCoupling: ChannelCoupling { constant?.channelCoupling ?? .elementwise(perChannel: []) }

    public func channelCoupling(inputShapes: [ValueShape]) -> ChannelCoupling {
        guard let constant, let input = inputShapes.first else { return channelCoupling }
        return constant.channelCoupling(inputRank: input.rank)
    }

    /// A constant that differs per channel keeps only the remaining channels' positions.
    public func resizingChannels(input: Int, output: Int, inputShapes: [ValueShape]) -> (any Operator)? {
        guard let constant, let shape = inputShapes.first else { return resizingChannels(input: input, output: output) }
        var resized = self
        resized.constant = constant.resized(channels: output, inputRank: shape.rank)
        return resized
    }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        let kernel = makeOperandKernel(name: name)
        guard let constant else { return kernel }
        return ConstantOperandKernel(name: name, base: kernel, constant: weights[0], isFirst: constant.isFirst)
    }
}
