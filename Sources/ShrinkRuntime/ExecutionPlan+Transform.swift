extension ExecutionPlan {
    /// What a step applies to its output after its kernel, on the same buffer while it is in
    /// cache: a BatchNorm that could not be folded into the weights, as a per-channel
    /// `scale · x + shift`, then a fused ReLU. Channels are axis 1 of `[batch, channels, pixels…]`.
    struct OutputTransform {
        /// Channels of the output (axis 1).
        let channels: Int
        /// Per-channel scale and shift (both or neither).
        let scale: [Float]?, shift: [Float]?
        /// max(0, ·) after the affine.
        let relu: Bool

        static func none(channels: Int) -> OutputTransform {
            OutputTransform(channels: channels, scale: nil, shift: nil, relu: false)
        }

        var isEmpty: Bool { scale == nil && !relu }

        /// Bytes of the per-channel parameters.
        var byteCount: Int { 4 * ((scale?.count ?? 0) + (shift?.count ?? 0)) }

        /// Applies the transform to `batch` samples of `channels · pixels` floats at `output`.
        func apply(_ output: UnsafeMutablePointer<Float>, batch: Int, pixels: Int) {
            if let scale, let shift {
                scale.withUnsafeBufferPointer { scale in
                    shift.withUnsafeBufferPointer { shift in
                        for sample in 0..<batch {
                            for channel in 0..<channels {
                                let plane = output + (sample * channels + channel) * pixels
                                let a = scale[channel], b = shift[channel]
                                if relu {
                                    for pixel in 0..<pixels { plane[pixel] = max(0, plane[pixel] * a + b) }
                                } else {
                                    for pixel in 0..<pixels { plane[pixel] = plane[pixel] * a + b }
                                }
                            }
                        }
                    }
                }
            } else if relu {
                for index in 0..<(batch * channels * pixels) { output[index] = max(0, output[index]) }
            }
        }

        /// The clamp after the affine as (lower, upper), ±infinity for no bound.
        var bounds: (Float, Float) { (relu ? 0 : -.infinity, .infinity) }

        /// One output value of channel `channel`, transformed (for kernels that write their
        /// output element by element, such as the convolution's scatter).
        @inline(__always)
        func value(_ x: Float, channel: Int) -> Float {
            var y = x
            if let scale, let shift { y = y * scale[channel] + shift[channel] }
            return relu ? max(0, y) : y
        }
    }
}
