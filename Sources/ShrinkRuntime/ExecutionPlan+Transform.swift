extension ExecutionPlan {
    /// What a step applies to its output after its kernel, on the same buffer while it is in
    /// cache: a BatchNorm that could not be folded into the weights, as a per-channel
    /// `scale · x + shift`, then a fused ReLU, ReLU6 or Clip as a clamp `min(max(lower, ·), upper)`
    /// (either bound optional). Channels are axis 1 of `[batch, channels, pixels…]`.
    struct OutputTransform {
        /// Channels of the output (axis 1).
        let channels: Int
        /// Per-channel scale and shift (both or neither).
        let scale: [Float]?, shift: [Float]?
        /// The clamp after the affine: max(lower, ·) then min(·, upper), nil for no bound (ReLU:
        /// lower 0; ReLU6: 0 and 6; Clip: its bounds).
        let lower: Float?, upper: Float?

        init(channels: Int, scale: [Float]?, shift: [Float]?, lower: Float? = nil, upper: Float? = nil) {
            self.channels = channels
            self.scale = scale
            self.shift = shift
            self.lower = lower
            self.upper = upper
        }

        init(channels: Int, scale: [Float]?, shift: [Float]?, relu: Bool) {
            self.init(channels: channels, scale: scale, shift: shift, lower: relu ? 0 : nil)
        }

        static func none(channels: Int) -> OutputTransform {
            OutputTransform(channels: channels, scale: nil, shift: nil)
        }

        /// Whether the clamp is exactly a ReLU (max(0, ·)).
        var relu: Bool { lower == 0 && upper == nil }
        /// Whether there is a clamp at all.
        var clamps: Bool { lower != nil || upper != nil }

        var isEmpty: Bool { scale == nil && !clamps }

        /// Bytes of the per-channel parameters.
        var byteCount: Int { 4 * ((scale?.count ?? 0) + (shift?.count ?? 0)) }

        /// Applies the transform to `batch` samples of `channels · pixels` floats at `output`.
        func apply(_ output: UnsafeMutablePointer<Float>, batch: Int, pixels: Int) {
            let (lower, upper) = bounds
            if let scale, let shift {
                scale.withUnsafeBufferPointer { scale in
                    shift.withUnsafeBufferPointer { shift in
                        for sample in 0..<batch {
                            for channel in 0..<channels {
                                let plane = output + (sample * channels + channel) * pixels
                                let a = scale[channel], b = shift[channel]
                                if clamps {
                                    for pixel in 0..<pixels { plane[pixel] = min(max(lower, plane[pixel] * a + b), upper) }
                                } else {
                                    for pixel in 0..<pixels { plane[pixel] = plane[pixel] * a + b }
                                }
                            }
                        }
                    }
                }
            } else if relu {
                for index in 0..<(batch * channels * pixels) { output[index] = max(0, output[index]) }
            } else if clamps {
                for index in 0..<(batch * channels * pixels) { output[index] = min(max(lower, output[index]), upper) }
            }
        }

        /// The clamp after the affine as (lower, upper), ±infinity for no bound.
        var bounds: (Float, Float) { (lower ?? -.infinity, upper ?? .infinity) }

        /// One output value of channel `channel`, transformed (for kernels that write their
        /// output element by element, such as the convolution's scatter).
        @inline(__always)
        func value(_ x: Float, channel: Int) -> Float {
            var y = x
            if let scale, let shift { y = y * scale[channel] + shift[channel] }
            if let lower { y = max(lower, y) }
            if let upper { y = min(y, upper) }
            return y
        }
    }
}
