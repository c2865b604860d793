extension Tensor {
    /// A tensor of independent normal samples with the given mean and standard deviation.
    public static func randomNormal(
        shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
        using generator: inout SeededRandomNumberGenerator
    ) -> Tensor {
        let count = elementCount(of: shape)
        var scalars = [Float](repeating: 0, count: count)
        for index in 0..<count { scalars[index] = mean + standardDeviation * generator.nextNormal() }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// A tensor of independent uniform samples in `[lowerBound, upperBound)`.
    public static func randomUniform(
        shape: [Int], lowerBound: Float, upperBound: Float,
        using generator: inout SeededRandomNumberGenerator
    ) -> Tensor {
        let count = elementCount(of: shape)
        var scalars = [Float](repeating: 0, count: count)
        let width = upperBound - lowerBound
        for index in 0..<count { scalars[index] = lowerBound + width * generator.nextUniform() }
        return Tensor(shape: shape, scalars: scalars)
    }
}
