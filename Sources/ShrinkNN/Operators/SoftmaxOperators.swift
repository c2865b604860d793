import Foundation
import ShrinkTensor

/// What `Softmax` and `LogSoftmax` share: one `axis` attribute (default −1, the last; negative
/// axes count from the end; the batch axis 0 is rejected, it would mix samples), the input's
/// shape out, and `SoftmaxKernel`. Conformers say which of the two they are.
public protocol SoftmaxFamily: Operator {
    var axis: Int { get }
    init(axis: Int)
    /// Whether the op returns the logarithm of the softmax.
    static var isLogarithmic: Bool { get }
}

extension SoftmaxFamily {
    public static var attributeDeclarations: [AttributeDeclaration] { [AttributeDeclaration("axis", .int, default: .int(-1))] }

    public init(attributes: Attributes) throws(OperatorError) {
        self.init(axis: try attributes.int("axis"))
    }

    public var attributes: Attributes { ["axis": .int(axis)] }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        _ = try ShapeChecks.axis(axis, rank: inputShapes[0].rank)
        return inputShapes
    }

    /// Softmax, per element: a comparison (the maximum), a subtraction, an exponential, an
    /// addition (the sum) and a multiply by the sum's reciprocal; per reduced row one
    /// reciprocal. Log-softmax, per element: a comparison, two subtractions, an exponential and
    /// an addition; per reduced row one logarithm.
    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let shape = outputShapes[0], count = shape.reduce(1, *)
        let rows = SoftmaxKernel.rowCount(shape: shape, axis: axis)
        return Self.isLogarithmic
            ? OperationCount(additions: 3 * count, comparisons: count, transcendentals: count + rows)
            : OperationCount(multiplies: count, additions: 2 * count, comparisons: count, transcendentals: count + rows)
    }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        SoftmaxKernel(name: name, axis: axis, isLogarithmic: Self.isLogarithmic)
    }
}

/// `softmax(x)ᵢ = e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x)` along `axis` (ONNX `Softmax`, opset 13
/// semantics: one axis, not a flattened suffix).
public struct SoftmaxOperator: SoftmaxFamily {
    public static let typeName = "Softmax"
    public static let isLogarithmic = false
    public var axis: Int

    public init(axis: Int = -1) {
        self.axis = axis
    }
}

/// `log softmax(x)ᵢ = xᵢ − max x − log Σⱼ e^(xⱼ − max x)` along `axis` (ONNX `LogSoftmax`),
/// with `Softmax`'s axis rules.
public struct LogSoftmaxOperator: SoftmaxFamily {
    public static let typeName = "LogSoftmax"
    public static let isLogarithmic = true
    public var axis: Int

    public init(axis: Int = -1) {
        self.axis = axis
    }
}

/// Runs `Softmax` or `LogSoftmax` along one axis: each reduced row is `axisSize` elements
/// `inner` apart. Backward: `∂x = y ⊙ (∂y − Σ ∂y ⊙ y)` for softmax and
/// `∂x = ∂y − e^y · Σ ∂y` for log-softmax.
final class SoftmaxKernel: OperatorKernel {
    let name: String
    let axis: Int
    let isLogarithmic: Bool
    /// The output of the last training forward pass.
    private var cachedOutput: Tensor?

    init(name: String, axis: Int, isLogarithmic: Bool) {
        self.name = name
        self.axis = axis
        self.isLogarithmic = isLogarithmic
    }

    /// The number of reduced rows of a tensor of `shape` (its element count over the axis size).
    static func rowCount(shape: [Int], axis: Int) -> Int {
        let resolved = axis < 0 ? axis + shape.count : axis
        guard resolved >= 0, resolved < shape.count, shape[resolved] > 0 else { return 0 }
        return shape.reduce(1, *) / shape[resolved]
    }

    /// The outer count (sizes before the axis), the axis size and the inner count (after it).
    private func layout(_ shape: [Int]) -> (outer: Int, size: Int, inner: Int) {
        let resolved = axis < 0 ? axis + shape.count : axis
        precondition(resolved > 0 && resolved < shape.count, "\(typeName) '\(name)': axis \(axis) does not fit shape \(shape)")
        return (shape[..<resolved].reduce(1, *), shape[resolved], shape[(resolved + 1)...].reduce(1, *))
    }

    private var typeName: String { isLogarithmic ? LogSoftmaxOperator.typeName : SoftmaxOperator.typeName }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        cachedOutput = nil
        let input = inputs[0]
        let (outer, size, inner) = layout(input.shape)
        let isLogarithmic = isLogarithmic
        let scalars = [Float].uninitialized(count: input.count) { output in
            input.withUnsafeBufferPointer { x in
                for outerIndex in 0..<outer {
                    for innerIndex in 0..<inner {
                        let start = outerIndex * size * inner + innerIndex
                        let source = x.baseAddress! + start, target = output + start
                        var maximum = -Float.infinity
                        for element in 0..<size { maximum = max(maximum, source[element * inner]) }
                        var sum: Float = 0
                        for element in 0..<size {
                            let exponential = exp(source[element * inner] - maximum)
                            target[element * inner] = exponential
                            sum += exponential
                        }
                        if isLogarithmic {
                            // (x − max) − log Σ: subtracting max first keeps the precision of large logits.
                            let logarithm = log(sum)
                            for element in 0..<size { target[element * inner] = (source[element * inner] - maximum) - logarithm }
                        } else {
                            let reciprocal = 1 / sum
                            for element in 0..<size { target[element * inner] *= reciprocal }
                        }
                    }
                }
            }
        }
        let output = Tensor(shape: input.shape, scalars: scalars)
        if mode == .training { cachedOutput = output }
        return [output]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let output = cachedOutput else { preconditionFailure("\(typeName) '\(name)': backward without a training forward pass") }
        guard needsInputGradients[0] else { return [nil] }
        let gradient = outputGradients[0]
        precondition(gradient.shape == output.shape,
                     "\(typeName) '\(name)': output gradient shape \(gradient.shape) does not match \(output.shape)")
        let (outer, size, inner) = layout(output.shape)
        let isLogarithmic = isLogarithmic
        let scalars = [Float].uninitialized(count: output.count) { dx in
            output.withUnsafeBufferPointer { y in
                gradient.withUnsafeBufferPointer { dy in
                    for outerIndex in 0..<outer {
                        for innerIndex in 0..<inner {
                            let start = outerIndex * size * inner + innerIndex
                            let values = y.baseAddress! + start, gradients = dy.baseAddress! + start, target = dx + start
                            if isLogarithmic {
                                var sum: Float = 0
                                for element in 0..<size { sum += gradients[element * inner] }
                                for element in 0..<size {
                                    target[element * inner] = gradients[element * inner] - exp(values[element * inner]) * sum
                                }
                            } else {
                                var dot: Float = 0
                                for element in 0..<size { dot += gradients[element * inner] * values[element * inner] }
                                for element in 0..<size {
                                    target[element * inner] = values[element * inner] * (gradients[element * inner] - dot)
                                }
                            }
                        }
                    }
                }
            }
        }
        return [Tensor(shape: output.shape, scalars: scalars)]
    }
}
