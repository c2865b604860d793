import ShrinkTensor

/// One kind of graph operation: everything Shrink knows about it in one type.
///
/// A value of the type is one node's configuration, read from the node's attributes. The type
/// declares its attributes (checked before `init(attributes:)` runs), the weights a node owns,
/// shape inference, operation counts for the energy model, channel coupling for structured
/// pruning, and makes the stateful kernel that runs forward and backward passes.
///
/// Adding an op: one file with its type, one line in the registry (`OperatorRegistry.standard`
/// in ShrinkNN), and its test (a gradient check).
public protocol Operator: Sendable {
    /// The op's stable name in graphs, files and the registry (`Conv2D`, `Add`).
    static var typeName: String { get }
    /// The attributes the op reads, with defaults.
    static var attributeDeclarations: [AttributeDeclaration] { get }
    /// Reads the node's attributes (already checked against the declarations, defaults filled).
    init(attributes: Attributes) throws(OperatorError)
    /// The attributes that rebuild this configuration (what a file stores).
    var attributes: Attributes { get }
    /// How many inputs a node of this op reads.
    var inputCount: ClosedRange<Int> { get }
    /// How many outputs it produces.
    var outputCount: Int { get }
    /// The weights a node owns, in a fixed order.
    var weights: [WeightDeclaration] { get }
    /// The output shapes for these input shapes; throws when the inputs do not fit.
    func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape]
    /// The arithmetic of one call with these concrete shapes (batch included).
    func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount
    /// How channels flow through the node.
    var channelCoupling: ChannelCoupling { get }
    /// How channels flow through a node reading inputs of these shapes. Structured pruning asks
    /// this; ops whose coupling depends on ranks or sizes (an element-wise op with a constant
    /// operand, whose channel axis depends on the input's rank) override it. Defaults to
    /// `channelCoupling`.
    func channelCoupling(inputShapes: [ValueShape]) -> ChannelCoupling
    /// This op after structured pruning left `input` channels on axis 1 of its (first) input
    /// and `output` channels on axis 1 of its output; nil when it cannot change (`.opaque`).
    func resizingChannels(input: Int, output: Int) -> (any Operator)?
    /// `resizingChannels(input:output:)` for a node whose inputs had these shapes before
    /// pruning. Defaults to `resizingChannels(input:output:)`.
    func resizingChannels(input: Int, output: Int, inputShapes: [ValueShape]) -> (any Operator)?
    /// Fresh initial values of `weights`, in order, drawn from `generator`.
    func initialWeights(generator: inout SeededRandomNumberGenerator) -> [Tensor]
    /// The object that runs this node, reading and training `weights` (in `weights` order).
    /// Ops with their own randomness (dropout) seed it from `generator`.
    func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel
}

extension Operator {
    public var inputCount: ClosedRange<Int> { 1...1 }
    public var outputCount: Int { 1 }
    public var weights: [WeightDeclaration] { [] }
    public var channelCoupling: ChannelCoupling { .opaque }
    /// Ops without channel attributes keep their configuration; opaque ops cannot be resized.
    public func resizingChannels(input: Int, output: Int) -> (any Operator)? {
        channelCoupling == .opaque ? nil : self
    }
    public func channelCoupling(inputShapes: [ValueShape]) -> ChannelCoupling { channelCoupling }
    public func resizingChannels(input: Int, output: Int, inputShapes: [ValueShape]) -> (any Operator)? {
        resizingChannels(input: input, output: output)
    }
    public func initialWeights(generator: inout SeededRandomNumberGenerator) -> [Tensor] {
        weights.map { Tensor(zeros: $0.shape) }
    }
    /// The registry name of this op's type.
    public var typeName: String { Self.typeName }
}

/// Runs one node: forward passes, and backward passes through the last training forward.
///
/// Contract (as for layers): `forward(_:mode: .training)` caches what `backward` needs;
/// `backward` receives the gradient of every output, **adds** weight gradients into the
/// `Parameter.gradient`s the kernel was made with, and returns one gradient per input (nil
/// where `needsInputGradients` is false, or for inputs that are not differentiable).
public protocol OperatorKernel: AnyObject {
    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor]
    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?]
}
