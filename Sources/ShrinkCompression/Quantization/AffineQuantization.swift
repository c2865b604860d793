import ShrinkTensor

/// The reference affine (linear) quantizer: parameters from ranges, quantize, de-quantize and
/// fake-quantize (quantize → de-quantize), per tensor or per channel.
///
/// `q = clamp(roundHalfEven(x / scale) + zeroPoint, qmin, qmax)` and `x̂ = Float(q − zeroPoint) · scale`,
/// computed in `Float` as an integer kernel would. NaN inputs map to the zero point (value 0).
public enum AffineQuantization {
    /// The scale and zero point that map `range` onto `scheme`'s integer grid (see
    /// `QuantizationScheme` for the formulas). The range is first widened to contain 0 so that
    /// zero is exactly representable. A range of width 0 (all zeros) gets scale 1; scales below
    /// the smallest normal `Float` are raised to it.
    ///
    /// - Throws: `QuantizationError.invalidRange` for non-finite or inverted bounds, or an invalid scheme.
    public static func scaleAndZeroPoint(
        for range: QuantizationRange, scheme: QuantizationScheme
    ) throws(QuantizationError) -> (scale: Float, zeroPoint: Int32) {
        try scheme.validate()
        guard range.minimum.isFinite, range.maximum.isFinite, range.minimum <= range.maximum else {
            throw .invalidRange(minimum: range.minimum, maximum: range.maximum)
        }
        let low = min(range.minimum, 0)
        let high = max(range.maximum, 0)
        let qmin = scheme.minimumCode, qmax = scheme.maximumCode
        if scheme.isSymmetric {
            let halfLevels = Float((Int32(1) << (scheme.bits - 1)) - 1)
            let scale = normalizedScale(max(-low, high) / halfLevels)
            return (scale, scheme.isSigned ? 0 : Int32(1) << (scheme.bits - 1))
        }
        let scale = normalizedScale((high - low) / Float(qmax - qmin))
        let shift = (low / scale).rounded(.toNearestOrEven)
        let zeroPoint = Int32(min(max(Float(qmin) - shift, Float(qmin)), Float(qmax)))
        return (scale, zeroPoint)
    }

    /// `scale` made usable: 1 for a zero-width range, at least the smallest normal `Float`.
    static func normalizedScale(_ scale: Float) -> Float {
        scale == 0 ? 1 : max(scale, Float.leastNormalMagnitude)
    }

    /// Per-tensor parameters for `range`.
    public static func parameters(
        for range: QuantizationRange, scheme: QuantizationScheme
    ) throws(QuantizationError) -> QuantizationParameters {
        let (scale, zeroPoint) = try scaleAndZeroPoint(for: range, scheme: scheme)
        return QuantizationParameters(
            bits: scheme.bits, isSigned: scheme.isSigned, isSymmetric: scheme.isSymmetric, axis: nil,
            scales: [scale], zeroPoints: [zeroPoint])
    }

    /// Per-channel parameters, one per range, along `axis`.
    public static func parameters(
        forChannelRanges ranges: [QuantizationRange], axis: Int, scheme: QuantizationScheme
    ) throws(QuantizationError) -> QuantizationParameters {
        var scales = [Float]()
        var zeroPoints = [Int32]()
        for range in ranges {
            let (scale, zeroPoint) = try scaleAndZeroPoint(for: range, scheme: scheme)
            scales.append(scale)
            zeroPoints.append(zeroPoint)
        }
        return QuantizationParameters(
            bits: scheme.bits, isSigned: scheme.isSigned, isSymmetric: scheme.isSymmetric, axis: axis,
            scales: scales, zeroPoints: zeroPoints)
    }

    /// Min-max parameters of `tensor`: per channel along axis 0 when `scheme.isPerChannel`,
    /// otherwise per tensor. Non-finite elements are ignored; an empty (or all non-finite)
    /// tensor or channel gets the range [0, 0].
    public static func parameters(
        minMaxOf tensor: Tensor, scheme: QuantizationScheme
    ) throws(QuantizationError) -> QuantizationParameters {
        if scheme.isPerChannel {
            return try parameters(forChannelRanges: try channelRanges(of: tensor, axis: 0), axis: 0, scheme: scheme)
        }
        let range = tensor.withUnsafeBufferPointer { QuantizationRange.finiteExtremes(of: $0) }
        return try parameters(for: range ?? QuantizationRange(minimum: 0, maximum: 0), scheme: scheme)
    }

    /// The finite min and max of every slice of `tensor` along `axis`.
    public static func channelRanges(of tensor: Tensor, axis: Int) throws(QuantizationError) -> [QuantizationRange] {
        guard axis >= 0, axis < tensor.rank else { throw .invalidAxis(axis: axis, shape: tensor.shape) }
        let channels = tensor.shape[axis]
        let inner = tensor.shape[(axis + 1)...].reduce(1, *)
        var lows = [Float](repeating: .infinity, count: channels)
        var highs = [Float](repeating: -.infinity, count: channels)
        tensor.withUnsafeBufferPointer { values in
            for index in 0..<values.count {
                let value = values[index]
                guard value.isFinite else { continue }
                let channel = (index / inner) % channels
                lows[channel] = min(lows[channel], value)
                highs[channel] = max(highs[channel], value)
            }
        }
        return (0..<channels).map { channel in
            lows[channel] <= highs[channel]
                ? QuantizationRange(minimum: lows[channel], maximum: highs[channel])
                : QuantizationRange(minimum: 0, maximum: 0)
        }
    }

    /// The integer code of one value.
    @inlinable
    public static func quantize(_ value: Float, scale: Float, zeroPoint: Int32, minimumCode: Int32, maximumCode: Int32) -> Int32 {
        if value.isNaN { return zeroPoint }
        let code = (value / scale).rounded(.toNearestOrEven) + Float(zeroPoint)
        return Int32(min(max(code, Float(minimumCode)), Float(maximumCode)))
    }

    /// The value of one integer code.
    @inlinable
    public static func dequantize(_ code: Int32, scale: Float, zeroPoint: Int32) -> Float {
        Float(code - zeroPoint) * scale
    }

    /// The integer codes of every element of `tensor` (row-major).
    public static func quantize(_ tensor: Tensor, with parameters: QuantizationParameters) -> [Int32] {
        var codes = [Int32](repeating: 0, count: tensor.count)
        let qmin = parameters.minimumCode, qmax = parameters.maximumCode
        forEachChannelBlock(shape: tensor.shape, parameters: parameters) { range, scale, zeroPoint in
            tensor.withUnsafeBufferPointer { values in
                codes.withUnsafeMutableBufferPointer { output in
                    for index in range {
                        output[index] = quantize(values[index], scale: scale, zeroPoint: zeroPoint, minimumCode: qmin, maximumCode: qmax)
                    }
                }
            }
        }
        return codes
    }

    /// The tensor of `shape` whose elements are the values of `codes`.
    public static func dequantize(_ codes: [Int32], shape: [Int], with parameters: QuantizationParameters) -> Tensor {
        precondition(codes.count == Tensor.elementCount(of: shape), "\(codes.count) codes do not fill shape \(shape)")
        var scalars = [Float](repeating: 0, count: codes.count)
        forEachChannelBlock(shape: shape, parameters: parameters) { range, scale, zeroPoint in
            codes.withUnsafeBufferPointer { input in
                scalars.withUnsafeMutableBufferPointer { output in
                    for index in range { output[index] = dequantize(input[index], scale: scale, zeroPoint: zeroPoint) }
                }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// `dequantize(quantize(tensor))` in one pass.
    public static func fakeQuantize(_ tensor: Tensor, with parameters: QuantizationParameters) -> Tensor {
        var result = tensor
        fakeQuantize(&result, with: parameters, insideRange: nil)
        return result
    }

    /// Fake-quantizes `tensor` in place. When `insideRange` is given it receives, per element, 1
    /// where the rounded code `roundHalfEven(x / scale) + zeroPoint` lies within
    /// `[qmin, qmax]` (the straight-through estimator passes the gradient) and 0 where it was
    /// clamped (or the value is NaN).
    public static func fakeQuantize(_ tensor: inout Tensor, with parameters: QuantizationParameters, insideRange: UnsafeMutablePointer<Float>?) {
        let qmin = Float(parameters.minimumCode), qmax = Float(parameters.maximumCode)
        let shape = tensor.shape
        forEachChannelBlock(shape: shape, parameters: parameters) { range, scale, zeroPoint in
            let zero = Float(zeroPoint)
            tensor.withUnsafeMutableBufferPointer { values in
                for index in range {
                    let value = values[index]
                    let code = (value / scale).rounded(.toNearestOrEven) + zero
                    let inside = code >= qmin && code <= qmax // false for NaN
                    let clamped = value.isNaN ? zero : min(max(code, qmin), qmax)
                    values[index] = (clamped - zero) * scale
                    insideRange?[index] = inside ? 1 : 0
                }
            }
        }
    }

    /// Calls `body` with each contiguous run of element indices that shares one scale and zero
    /// point (the whole tensor per tensor; per channel, one run per (outer index, channel)).
    static func forEachChannelBlock(
        shape: [Int], parameters: QuantizationParameters, _ body: (Range<Int>, Float, Int32) -> Void
    ) {
        let count = Tensor.elementCount(of: shape)
        guard let axis = parameters.axis else {
            precondition(parameters.scales.count == 1 && parameters.zeroPoints.count == 1,
                         "per-tensor quantization needs one scale and zero point")
            body(0..<count, parameters.scales[0], parameters.zeroPoints[0])
            return
        }
        precondition(axis >= 0 && axis < shape.count, "per-channel axis \(axis) outside shape \(shape)")
        let channels = shape[axis]
        precondition(parameters.scales.count == channels && parameters.zeroPoints.count == channels,
                     "\(parameters.scales.count) scales for \(channels) channels")
        let inner = shape[(axis + 1)...].reduce(1, *)
        let outer = shape[..<axis].reduce(1, *)
        for outerIndex in 0..<outer {
            for channel in 0..<channels {
                let start = (outerIndex * channels + channel) * inner
                body(start..<(start + inner), parameters.scales[channel], parameters.zeroPoints[channel])
            }
        }
    }
}
