/// How `QLinearMatMul` and `QLinearConv` turn int32 sums into 8-bit output codes: per output
/// channel (column), `saturate(round(sum · input_scale · weight_scale / output_scale +
/// output_zero_point))` (`IntegerCodes.requantize`).
struct Requantization: Hashable, Sendable {
    var inputScale: Float
    /// One, or one per output channel.
    var weightScales: [Float]
    var outputScale: Float
    var outputZeroPoint: Int
    /// Whether output codes are int8 (`−128…127`) rather than uint8 (`0…255`).
    var isSigned: Bool

    /// Throws unless the scales are finite (the output scale nonzero), there are one or
    /// `channels` weight scales, and the output zero point is inside the output range. `names`
    /// are the op's attribute names for the input scale, weight scales, output scale and
    /// output zero point.
    func validate(channels: Int, names: (input: String, weight: String, output: String, zeroPoint: String)) throws(OperatorError) {
        guard inputScale.isFinite else { throw OperatorError("\(names.input) must be finite, got \(inputScale)") }
        guard outputScale.isFinite, outputScale != 0 else {
            throw OperatorError("\(names.output) must be finite and nonzero, got \(outputScale)")
        }
        guard weightScales.count == 1 || weightScales.count == channels else {
            throw OperatorError("\(weightScales.count) \(names.weight) values for \(channels) output channels (give one or \(channels))")
        }
        guard weightScales.allSatisfy(\.isFinite) else { throw OperatorError("\(names.weight) values must be finite, got \(weightScales)") }
        guard range.contains(outputZeroPoint) else {
            throw OperatorError("\(names.zeroPoint) \(outputZeroPoint) is outside \(range)")
        }
    }

    /// The output code range.
    var range: ClosedRange<Int> { LinearQuantization.range(signed: isSigned) }

    /// The multiplier of output channel `channel`.
    func multiplier(_ channel: Int) -> Double {
        IntegerCodes.multiplier(inputScale: inputScale, weightScale: weightScales[weightScales.count == 1 ? 0 : channel],
                                outputScale: outputScale)
    }

    /// The output code of one sum with its channel's multiplier.
    func apply(_ sum: Int32, multiplier: Double) -> Float {
        IntegerCodes.requantize(sum, multiplier: multiplier, zeroPoint: outputZeroPoint, range: range)
    }
}
