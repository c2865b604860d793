import Testing
@testable import ShrinkNN
import ShrinkTensor

/// Inference must not write the training-only cache: an earlier version wrote x̂ through the
/// base address of an empty array (Swift's shared empty storage), corrupting the process.
@Suite struct BatchNormalizationInferenceTests {
    @Test func inferenceLeavesSharedEmptyStorageIntact() {
        let layer = BatchNormalization2D(name: "bn", channels: 3, epsilon: 1e-5, momentum: 0.1)
        layer.parameters.first { $0.name == "bn.running_mean" }!.value = Tensor(shape: [3], scalars: [1, 2, 3])
        let empty = [Float]()
        let before = empty.withUnsafeBufferPointer { $0.baseAddress.map { UnsafeRawPointer($0).load(as: UInt64.self) } }
        var generator = SeededRandomNumberGenerator(seed: 1)
        let input = Tensor.randomNormal(shape: [4, 3, 5, 5], using: &generator)
        let output = layer.forward(input, mode: .inference)
        let after = empty.withUnsafeBufferPointer { $0.baseAddress.map { UnsafeRawPointer($0).load(as: UInt64.self) } }
        #expect(before == after)
        // y = (x − running mean) / sqrt(running var + ε) with γ = 1, β = 0, running var = 1.
        let expected = (input[3, 2, 4, 4] - 3) / (1 + 1e-5 as Float).squareRoot()
        #expect(abs(output[3, 2, 4, 4] - expected) < 1e-6)
    }
}
