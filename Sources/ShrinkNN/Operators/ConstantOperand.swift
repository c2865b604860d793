/// The constant operand an element-wise `Add`, `Sub`, `Mul` or `Div` node may own (ONNX's
/// `x + c` with `c` an initializer). Attributes:
///
/// - `constant` int 0/1 (0): 1 makes the node read one activation and own the weight
///   `constant` (role `.other`, trainable);
/// - `constant_shape` ints (`[]`, a scalar): the constant's shape, ONNX's, batch axis included
///   when its rank is the input's;
/// - `constant_first` int 0/1 (0), `Sub` and `Div` only: 1 computes `constant − x` and
///   `constant / x` instead of `x − constant` and `x / constant`.
///
/// The constant broadcasts NumPy-style against the input's full shape, right-aligned: its
/// rank is at most the input's, and when the ranks are equal its axis 0 is 1 or the input's
/// fixed axis-0 size (it never widens the batch). On other axes sizes broadcast as `Broadcasting`
/// describes. The output has the broadcast shape, axis 0 the input's.
public struct ConstantOperand: Hashable, Sendable {
    /// The constant's shape (`[]`: a scalar).
    public var shape: [Int]
    /// Whether the constant is the left operand (`constant − x`, `constant / x`).
    public var isFirst: Bool

    public init(shape: [Int] = [], isFirst: Bool = false) {
        self.shape = shape
        self.isFirst = isFirst
    }

    /// The attributes of an op that may own a constant; `ordered` ops (`Sub`, `Div`) also read
    /// `constant_first`.
    static func declarations(ordered: Bool) -> [AttributeDeclaration] {
        [
            AttributeDeclaration("constant", .int, default: .int(0)),
            AttributeDeclaration("constant_shape", .ints, default: .ints([])),
        ] + (ordered ? [AttributeDeclaration("constant_first", .int, default: .int(0))] : [])
    }

    /// The constant the attributes describe, or nil when `constant` = 0 (then the other
    /// constant attributes must keep their defaults).
    static func read(_ attributes: Attributes, ordered: Bool) throws(OperatorError) -> ConstantOperand? {
        let isFirst = ordered ? try attributes.bool("constant_first") : false
        let shape = try attributes.ints("constant_shape")
        guard try attributes.bool("constant") else {
            guard shape.isEmpty, !isFirst else {
                throw OperatorError("constant_shape and constant_first need constant = 1")
            }
            return nil
        }
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw OperatorError("constant_shape must hold positive sizes, got \(shape)")
        }
        return ConstantOperand(shape: shape, isFirst: isFirst)
    }

    /// Every declared attribute, rebuilding `constant` (`constant` = 0 without one; a file
    /// leaves out the defaults, so nodes without a constant are stored as before constants).
    static func attributes(of constant: ConstantOperand?, ordered: Bool) -> Attributes {
        var result: Attributes = ["constant": .int(constant == nil ? 0 : 1), "constant_shape": .ints(constant?.shape ?? [])]
        if ordered { result["constant_first"] = .int(constant?.isFirst == true ? 1 : 0) }
        return result
    }

    /// The weight the node owns.
    var declaration: WeightDeclaration { WeightDeclaration(name: "constant", shape: shape, role: .other) }

    /// The shape padded with leading 1s to `rank`: the operand as broadcasting sees it.
    func paddedShape(rank: Int) -> [Int] {
        precondition(shape.count <= rank, "constant of shape \(shape) against an input of rank \(rank)")
        return [Int](repeating: 1, count: rank - shape.count) + shape
    }

    /// The output shape for an input of shape `input`.
    func outputShape(input: ValueShape) throws(OperatorError) -> ValueShape {
        guard shape.count <= input.rank else {
            throw OperatorError("the constant \(shape) has rank \(shape.count), more than the input's \(input.rank)")
        }
        let padded = ValueShape(paddedShape(rank: input.rank).map { Dimension.fixed($0) })
        if shape.count == input.rank, shape[0] != 1, input[0] != .fixed(shape[0]) {
            throw OperatorError("the constant \(shape) has \(shape[0]) on axis 0, the input \(input[0]); it must be 1 or equal")
        }
        var output: ValueShape
        do {
            output = try Broadcasting.outputShape([input, padded])
        } catch {
            throw OperatorError("the constant \(shape) does not broadcast against the input \(input)")
        }
        output[0] = input[0]
        return output
    }

    /// Whether every size is 1: the same value for every channel at any rank.
    var isChannelIndependent: Bool { shape.allSatisfy { $0 == 1 } }

    /// The constant's axis lined up with the channel axis 1 of an input of rank `inputRank`,
    /// when it exists and has more than one position (the constant then differs per channel).
    func channelAxis(inputRank: Int) -> Int? {
        let axis = shape.count - inputRank + 1
        guard inputRank >= 2, axis >= 0, axis < shape.count, shape[axis] > 1 else { return nil }
        return axis
    }

    /// The coupling without knowing the input's rank: element-wise when the constant is the
    /// same for every channel, else opaque (which of its axes meets the channels depends on
    /// the rank; `channelCoupling(inputRank:)` knows).
    var channelCoupling: ChannelCoupling { isChannelIndependent ? .elementwise(perChannel: []) : .opaque }

    /// Element-wise, the constant sliced with the channels along its channel axis when it has
    /// one (`channelAxis(inputRank:)`).
    func channelCoupling(inputRank: Int) -> ChannelCoupling {
        .elementwise(perChannel: channelAxis(inputRank: inputRank).map { [WeightAxis("constant", axis: $0)] } ?? [])
    }

    /// The constant after pruning left `channels` positions on the output's axis 1.
    func resized(channels: Int, inputRank: Int) -> ConstantOperand {
        guard let axis = channelAxis(inputRank: inputRank) else { return self }
        var resized = self
        resized.shape[axis] = channels
        return resized
    }
}
