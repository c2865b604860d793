import ShrinkGraph
import ShrinkTensor
import Testing
@testable import ShrinkNN

/// `ClipKernel` (vectorized, threaded) against its reference twin, the generic
/// `ElementwiseActivationKernel` over the op's scalar `value` and `derivative`: the same outputs
/// and input gradients, with inputs on and beyond both bounds, infinities, a NaN and
/// a count that is neither a multiple of the vector width nor of one thread's chunk.
@Suite struct ClipKernelTests {
    static func input(count: Int, minimum: Float, maximum: Float, seed: UInt64) -> Tensor {
        var generator = SeededRandomNumberGenerator(seed: seed)
        var scalars = (0..<count).map { _ in Float.random(in: (minimum - 3)...(maximum + 3), using: &generator) }
        for (index, special) in [minimum, maximum, -.infinity, .infinity, .nan, 0, minimum.nextUp, maximum.nextDown].enumerated() {
            scalars[index * 997 % count] = special
        }
        return Tensor(shape: [count], scalars: scalars)
    }

    /// The elements where `a` and `b` differ (a NaN equals a NaN; the reference's `0 · ∂y` may
    /// be −0 where the kernel writes +0, which compare equal).
    static func mismatches(_ a: Tensor, _ b: Tensor) -> Int {
        precondition(a.shape == b.shape)
        return zip(a.scalars, b.scalars).count { !($0 == $1 || ($0.isNaN && $1.isNaN)) }
    }

    static func check<Activation: ElementwiseActivation>(_ activation: Activation, minimum: Float, maximum: Float) {
        let count = 3 * ReLU.elementsPerChunk + 13
        let x = input(count: count, minimum: minimum, maximum: maximum, seed: 4)
        var generator = SeededRandomNumberGenerator(seed: 5)
        let dy = Tensor.randomUniform(shape: [count], lowerBound: -1, upperBound: 1, using: &generator)
        var kernelGenerator = SeededRandomNumberGenerator(seed: 0)
        let fast = activation.makeKernel(name: "fast", weights: [], generator: &kernelGenerator)
        let reference = ElementwiseActivationKernel(name: "reference", activation: activation)
        #expect(fast is ClipKernel)
        let fastOutput = fast.forward([x], mode: .training)[0], referenceOutput = reference.forward([x], mode: .training)[0]
        #expect(mismatches(fastOutput, referenceOutput) == 0, "\(Activation.typeName) outputs differ")
        let fastGradient = fast.backward([dy], needsInputGradients: [true])[0]!
        let referenceGradient = reference.backward([dy], needsInputGradients: [true])[0]!
        #expect(mismatches(fastGradient, referenceGradient) == 0, "\(Activation.typeName) gradients differ")
        #expect(fast.backward([dy], needsInputGradients: [false])[0] == nil)
    }

    @Test func reluSixMatchesItsReference() {
        Self.check(ReLU6Operator(), minimum: 0, maximum: 6)
    }

    @Test func clipMatchesItsReference() {
        Self.check(ClipOperator(minimum: -1, maximum: 2.5), minimum: -1, maximum: 2.5)
    }
}
