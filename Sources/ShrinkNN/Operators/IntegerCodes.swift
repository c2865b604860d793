/// Integers carried in Float storage (Shrink's activations are Float; the quantized ops read
/// and write exact integer values), and the rounding and saturation of ONNX's quantized ops.
enum IntegerCodes {
    /// `value` as an `Int32`: rounded half to even (an integer-valued input is exact),
    /// saturated to `Int32`'s range, nan read as 0. Never traps.
    static func int32(_ value: Float) -> Int32 {
        guard !value.isNaN else { return 0 }
        let rounded = value.rounded(.toNearestOrEven)
        if rounded >= 2_147_483_648 { return .max }
        if rounded < -2_147_483_648 { return .min }
        return Int32(rounded)
    }

    /// ONNX's `saturate(round(value))`: rounded half to even (`np.rint`), then clamped to
    /// `range`; nan gives the lower bound (as the reference's integer conversion does).
    static func saturate(_ value: Double, to range: ClosedRange<Int>) -> Float {
        guard !value.isNaN else { return Float(range.lowerBound) }
        let rounded = value.rounded(.toNearestOrEven)
        return Float(min(max(rounded, Double(range.lowerBound)), Double(range.upperBound)))
    }

    /// An int32 accumulator requantized as the ONNX reference does for `QLinearMatMul` and
    /// `QLinearConv`: `saturate(round(accumulator · multiplier + zeroPoint))` in double
    /// precision (NumPy promotes the int32 products times the float32 multiplier to float64),
    /// with `multiplier` = `input_scale · weight_scale / output_scale` computed in float32.
    static func requantize(_ accumulator: Int32, multiplier: Double, zeroPoint: Int, range: ClosedRange<Int>) -> Float {
        saturate(Double(accumulator) * multiplier + Double(zeroPoint), to: range)
    }

    /// The requantization multiplier `(inputScale · weightScale) / outputScale`, in float32
    /// as the reference computes it, widened to double.
    static func multiplier(inputScale: Float, weightScale: Float, outputScale: Float) -> Double {
        Double(inputScale * weightScale / outputScale)
    }
}
