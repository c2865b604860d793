import ShrinkTensor

/// Weight initialization shared by Linear and Convolution2D.
enum Initialization {
    /// PyTorch's default for `nn.Linear`/`nn.Conv2d`: Kaiming-uniform with `a = √5` for the
    /// weight, which is `uniform(−1/√fanIn, 1/√fanIn)`, and the same bound for the bias.
    /// Draws the weight first, then the bias, from `generator`.
    static func kaimingUniform(
        weightShape: [Int], fanIn: Int, hasBias: Bool, biasCount: Int,
        generator: inout SeededRandomNumberGenerator
    ) -> (weight: Tensor, bias: Tensor?) {
        let bound = 1 / Float(fanIn).squareRoot()
        let weight = Tensor.randomUniform(shape: weightShape, lowerBound: -bound, upperBound: bound, using: &generator)
        let bias = hasBias
            ? Tensor.randomUniform(shape: [biasCount], lowerBound: -bound, upperBound: bound, using: &generator)
            : nil
        return (weight, bias)
    }
}

extension Array where Element == Float {
    /// An array of `count` floats whose contents `body` must fully write (no zero-fill pass).
    static func uninitialized(count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            if let base = buffer.baseAddress { body(base) }
            initializedCount = count
        }
    }
}
