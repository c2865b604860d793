import ShrinkTensor

/// The same elements, row-major, viewed with another per-sample shape (ONNX `Reshape` with the
/// target shape as an attribute instead of an input, adapted to the batch):
///
/// - `shape` lists the **per-sample** target shape; the batch dimension is kept and not
///   listed (`shape = [4, 7]` turns `[batch, 28]` into `[batch, 4, 7]`);
/// - one entry may be `-1`: that size is inferred from the element count;
/// - an entry `0` copies the input's per-sample size at the same position (ONNX's default,
///   `allowzero = 0`);
/// - an empty `shape` makes `[batch]` from a one-element sample.
public struct ReshapeOperator: Operator {
    public static let typeName = "Reshape"
    public static let attributeDeclarations = [AttributeDeclaration("shape", .ints)]
    /// The per-sample target shape, batch not included.
    public var shape: [Int]

    public init(shape: [Int]) {
        self.shape = shape
    }

    public init(attributes: Attributes) throws(OperatorError) {
        shape = try attributes.ints("shape")
        guard shape.allSatisfy({ $0 >= -1 }) else { throw OperatorError("shape \(shape) has a size below -1") }
        guard shape.count(where: { $0 == -1 }) <= 1 else { throw OperatorError("shape \(shape) has more than one -1") }
    }

    public var attributes: Attributes { ["shape": .ints(shape)] }

    /// The per-sample output shape for a per-sample input shape, or an error.
    func sampleOutputShape(for sample: [Int]) throws(OperatorError) -> [Int] {
        var sizes = shape
        for (position, size) in shape.enumerated() where size == 0 {
            guard position < sample.count else {
                throw OperatorError("shape \(shape) copies size \(position) (0) but the sample \(sample) has rank \(sample.count)")
            }
            sizes[position] = sample[position]
        }
        let elementCount = sample.reduce(1, *)
        // Attribute sizes come from files: multiply with overflow checks. The input's element
        // count is bounded (`ResolvedGraph.maximumSampleElementCount`), so a product beyond it can
        // never match and is reported as too large.
        var known = 1
        for size in sizes where size != -1 {
            let (product, overflow) = known.multipliedReportingOverflow(by: size)
            guard !overflow, product <= ResolvedGraph.maximumSampleElementCount else {
                throw OperatorError("shape \(shape) holds more than \(ResolvedGraph.maximumSampleElementCount) elements per sample")
            }
            known = product
        }
        if let inferred = sizes.firstIndex(of: -1) {
            guard known > 0, elementCount % known == 0 else {
                throw OperatorError("cannot infer the -1 in \(shape): \(elementCount) elements per sample are not a multiple of \(known)")
            }
            sizes[inferred] = elementCount / known
        } else if known != elementCount {
            throw OperatorError("shape \(shape) holds \(known) elements per sample, the input \(sample) has \(elementCount)")
        }
        return sizes
    }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        let sample = try ShapeChecks.sample(inputShapes[0], expected: "a batched input with fixed per-sample sizes")
        return [ValueShape([inputShapes[0][0]] + (try sampleOutputShape(for: sample)).map { .fixed($0) })]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        ReshapeKernel(name: name, operator: self)
    }
}

/// Runs `Reshape`: a new shape over the same storage; backward restores the input's shape.
final class ReshapeKernel: OperatorKernel {
    let name: String
    let reshape: ReshapeOperator
    /// The input shape of the last training forward pass.
    private var cachedInputShape: [Int]?

    init(name: String, operator reshape: ReshapeOperator) {
        self.name = name
        self.reshape = reshape
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0]
        precondition(input.rank >= 1, "Reshape '\(name)' needs a batch dimension")
        let sample: [Int]
        do {
            sample = try reshape.sampleOutputShape(for: Array(input.shape.dropFirst()))
        } catch {
            preconditionFailure("Reshape '\(name)': \(error.message)")
        }
        cachedInputShape = mode == .training ? input.shape : nil
        return [input.reshaped([input.shape[0]] + sample)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let shape = cachedInputShape else { preconditionFailure("Reshape '\(name)': backward without a training forward pass") }
        return [needsInputGradients[0] ? outputGradients[0].reshaped(shape) : nil]
    }
}
