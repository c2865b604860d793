/// Plain Swift twins of the C kernels batch normalization trains with
/// (`shrink_batch_norm_statistics`, `shrink_batch_norm_backward`), for tests to compare.
/// Layout `[batch, channels, plane]`; sums in fp64 element by element.
extension BatchNormalization2D {
    /// Per channel: the batch mean and the sum of squared deviations from it.
    static func referenceStatistics(_ x: [Float], batch: Int, channels: Int, plane: Int)
        -> (means: [Double], squares: [Double]) {
        var means = [Double](repeating: 0, count: channels), squares = [Double](repeating: 0, count: channels)
        for channel in 0..<channels {
            var sum = 0.0
            for sample in 0..<batch {
                let offset = (sample * channels + channel) * plane
                for index in offset..<(offset + plane) { sum += Double(x[index]) }
            }
            let mean = sum / Double(batch * plane)
            var total = 0.0
            for sample in 0..<batch {
                let offset = (sample * channels + channel) * plane
                for index in offset..<(offset + plane) {
                    let centered = Double(x[index]) - mean
                    total += centered * centered
                }
            }
            means[channel] = mean
            squares[channel] = total
        }
        return (means, squares)
    }

    /// Per channel: `dβ = Σ g`, `dγ = Σ g·x̂` and `dx = factor · (M·g − dβ − x̂·dγ)`, where `g` is
    /// `dy`, or `dy` where `mask > 0` when a mask (a fused rectifier's output) is given.
    static func referenceBackward(
        normalized: [Float], outputGradient dy: [Float], mask: [Float]?, factors: [Float],
        batch: Int, channels: Int, plane: Int
    ) -> (inputGradient: [Float], shiftGradients: [Float], scaleGradients: [Float]) {
        var dx = [Float](repeating: 0, count: dy.count)
        var shifts = [Float](repeating: 0, count: channels), scales = [Float](repeating: 0, count: channels)
        let reduced = Float(batch * plane)
        func gradient(_ index: Int) -> Float { mask.map { $0[index] > 0 ? dy[index] : 0 } ?? dy[index] }
        for channel in 0..<channels {
            var shiftSum = 0.0, scaleSum = 0.0
            for sample in 0..<batch {
                let offset = (sample * channels + channel) * plane
                for index in offset..<(offset + plane) {
                    shiftSum += Double(gradient(index))
                    scaleSum += Double(gradient(index) * normalized[index])
                }
            }
            shifts[channel] = Float(shiftSum)
            scales[channel] = Float(scaleSum)
            for sample in 0..<batch {
                let offset = (sample * channels + channel) * plane
                for index in offset..<(offset + plane) {
                    dx[index] = factors[channel] * (reduced * gradient(index) - shifts[channel] - normalized[index] * scales[channel])
                }
            }
        }
        return (dx, shifts, scales)
    }
}
