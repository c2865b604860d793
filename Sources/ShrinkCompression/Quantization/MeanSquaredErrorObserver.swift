/// Chooses the clipping range `[α·min, α·max]`, α ∈ {0.01, 0.02, …, 1}, that minimizes the mean
/// squared error between the observed values and their fake-quantized values under `scheme`
/// (the largest α on ties). At most `evaluationLimit` evenly strided samples enter the error.
public struct MeanSquaredErrorObserver: Observer {
    public var scheme: QuantizationScheme
    /// The number of α candidates (α = k / steps, k = 1...steps).
    public var steps: Int
    public var evaluationLimit: Int
    public private(set) var reservoir: SampleReservoir

    public init(scheme: QuantizationScheme, steps: Int = 100, evaluationLimit: Int = 1 << 16, seed: UInt64 = 0,
                capacity: Int = 1 << 21) {
        precondition(steps > 0 && evaluationLimit > 0, "steps and evaluation limit must be positive")
        var perTensor = scheme
        perTensor.isPerChannel = false
        self.scheme = perTensor
        self.steps = steps
        self.evaluationLimit = evaluationLimit
        reservoir = SampleReservoir(capacity: capacity, seed: seed)
    }

    public var name: String { "MSE" }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        reservoir.add(values)
    }

    /// The mean squared fake-quantization error of `values` clipped to `range`.
    static func meanSquaredError(of values: UnsafeBufferPointer<Float>, range: QuantizationRange, scheme: QuantizationScheme) throws(QuantizationError) -> Double {
        let (scale, zeroPoint) = try AffineQuantization.scaleAndZeroPoint(for: range, scheme: scheme)
        let qmin = scheme.minimumCode, qmax = scheme.maximumCode
        var sum = 0.0
        for value in values {
            let code = AffineQuantization.quantize(value, scale: scale, zeroPoint: zeroPoint, minimumCode: qmin, maximumCode: qmax)
            let error = Double(value - AffineQuantization.dequantize(code, scale: scale, zeroPoint: zeroPoint))
            sum += error * error
        }
        return values.isEmpty ? 0 : sum / Double(values.count)
    }

    public func range() throws(QuantizationError) -> QuantizationRange {
        guard let extremes = reservoir.extremes else { throw .noObservations(observer: name) }
        let all = reservoir.samples
        let every = max(1, (all.count + evaluationLimit - 1) / evaluationLimit)
        let evaluated = stride(from: 0, to: all.count, by: every).map { all[$0] }
        var best = extremes
        var bestError = Double.infinity
        try evaluated.withUnsafeBufferPointer { (values) throws(QuantizationError) in
            for step in stride(from: steps, through: 1, by: -1) {
                let fraction = Float(step) / Float(steps)
                let candidate = QuantizationRange(minimum: extremes.minimum * fraction, maximum: extremes.maximum * fraction)
                let error = try Self.meanSquaredError(of: values, range: candidate, scheme: scheme)
                if error < bestError {
                    bestError = error
                    best = candidate
                }
            }
        }
        return best
    }
}
