import ShrinkTensor
import Testing
@testable import ShrinkNN

/// Finite-difference gradient checks: compares a layer's `backward` against double-sided
/// differences of the scalar loss `Σ output ⊙ R` for a fixed random `R`.
enum GradientChecking {
    /// The loss `Σ output ⊙ R`, accumulated in Double.
    static func loss(_ output: Tensor, _ weights: Tensor) -> Double {
        var sum = 0.0
        for index in 0..<output.count { sum += Double(output.scalars[index]) * Double(weights.scalars[index]) }
        return sum
    }

    /// Checks the input gradient and every trainable parameter's gradient of `layer`.
    ///
    /// - Parameters:
    ///   - resetState: runs before every forward pass (e.g. to replay a dropout mask).
    ///   - epsilon: the finite-difference step.
    ///   - tolerance: allowed `|analytic − numeric|` relative to `max(|analytic|, |numeric|)`,
    ///     plus the same fraction of the tensor's largest numeric gradient as an absolute floor.
    static func check(
        _ layer: any Layer, input: Tensor, seed: UInt64 = 7,
        epsilon: Float = 1e-2, tolerance: Double = 1e-2,
        resetState: () -> Void = {},
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var generator = SeededRandomNumberGenerator(seed: seed)
        resetState()
        let output = layer.forward(input, mode: .training)
        let weights = Tensor.randomNormal(shape: output.shape, using: &generator)

        // Analytic gradients: dLoss/dOutput = R.
        for parameter in layer.parameters { parameter.zeroGradient() }
        let inputGradient = layer.backward(weights)
        #expect(inputGradient.shape == input.shape, "input gradient shape", sourceLocation: sourceLocation)
        let trainable = layer.parameters.filter { $0.kind == .trainable }
        let parameterGradients = trainable.map(\.gradient)
        for parameter in layer.parameters where parameter.kind == .buffer {
            #expect(parameter.gradient.scalars.allSatisfy { $0 == 0 }, "buffer \(parameter.name) got a gradient",
                    sourceLocation: sourceLocation)
        }

        func evaluate(_ x: Tensor) -> Double {
            resetState()
            return loss(layer.forward(x, mode: .training), weights)
        }

        // Numeric gradient with respect to the input.
        var numericInput = [Double](repeating: 0, count: input.count)
        var perturbed = input
        for index in 0..<input.count {
            let original = perturbed.scalars[index]
            perturbed.scalars[index] = original + epsilon
            let plus = evaluate(perturbed)
            perturbed.scalars[index] = original - epsilon
            let minus = evaluate(perturbed)
            perturbed.scalars[index] = original
            numericInput[index] = (plus - minus) / (2 * Double(epsilon))
        }
        compare(inputGradient.scalars, numericInput, label: "input", tolerance: tolerance, sourceLocation: sourceLocation)

        // Numeric gradient with respect to every trainable parameter.
        for (parameter, analytic) in zip(trainable, parameterGradients) {
            var numeric = [Double](repeating: 0, count: parameter.value.count)
            for index in 0..<parameter.value.count {
                let original = parameter.value.scalars[index]
                parameter.value.scalars[index] = original + epsilon
                let plus = evaluate(input)
                parameter.value.scalars[index] = original - epsilon
                let minus = evaluate(input)
                parameter.value.scalars[index] = original
                numeric[index] = (plus - minus) / (2 * Double(epsilon))
            }
            compare(analytic.scalars, numeric, label: parameter.name, tolerance: tolerance, sourceLocation: sourceLocation)
        }
    }

    static func compare(
        _ analytic: [Float], _ numeric: [Double], label: String, tolerance: Double,
        sourceLocation: SourceLocation
    ) {
        #expect(analytic.count == numeric.count, sourceLocation: sourceLocation)
        let scale = max(1e-3, numeric.map(abs).max() ?? 0)
        #expect(scale > 1e-3, "\(label): gradient is all zero, the check would be vacuous", sourceLocation: sourceLocation)
        var worst = (index: -1, excess: 0.0)
        for index in 0..<min(analytic.count, numeric.count) {
            let a = Double(analytic[index]), n = numeric[index]
            let allowed = tolerance * (max(abs(a), abs(n)) + scale)
            let excess = abs(a - n) / allowed
            if excess > worst.excess { worst = (index, excess) }
        }
        #expect(worst.excess <= 1, """
            \(label): analytic \(worst.index >= 0 ? Double(analytic[worst.index]) : 0) vs numeric \
            \(worst.index >= 0 ? numeric[worst.index] : 0) at \(worst.index)
            """, sourceLocation: sourceLocation)
    }

    /// Random values of magnitude at least `margin`, so ReLU kinks are not crossed by ±epsilon.
    static func awayFromZero(shape: [Int], margin: Float = 0.1, generator: inout SeededRandomNumberGenerator) -> Tensor {
        var tensor = Tensor.randomNormal(shape: shape, using: &generator)
        for index in 0..<tensor.count {
            let value = tensor.scalars[index]
            tensor.scalars[index] = value >= 0 ? value + margin : value - margin
        }
        return tensor
    }

    /// Distinct values spaced `gap` apart in random order, so max-pooling winners are not
    /// changed by ±epsilon.
    static func distinctValues(shape: [Int], gap: Float = 0.05, generator: inout SeededRandomNumberGenerator) -> Tensor {
        let count = Tensor.elementCount(of: shape)
        var values = (0..<count).map { Float($0 - count / 2) * gap }
        values.seededShuffle(using: &generator)
        return Tensor(shape: shape, scalars: values)
    }
}
