import ShrinkTensor

/// The int32 2-D convolution of `QLinearConv`: `Σ (x − x_zero_point)(w − w_zero_point[m]) +
/// bias[m]` over each window, of float-carried integer codes `x` `[batch, C, H, W]` and weights
/// `[M, C / groups, kH, kW]`. Padding contributes 0 after the zero point is subtracted (the pad
/// value is `x_zero_point`), as in the reference. Products and sums are int32 with wrapping
/// arithmetic, as the reference's NumPy int32.
struct IntegerConvolution: Hashable, Sendable {
    var inputChannels: Int
    var outputChannels: Int
    var groups: Int
    var window: WindowGeometry
    var inputZeroPoint: Int
    /// None (0), one, or one per output channel.
    var weightZeroPoints: [Int]

    /// `[M, C / groups, kH, kW]`.
    var weightShape: [Int] { [outputChannels, inputChannels / groups, window.kernel[0], window.kernel[1]] }

    /// Throws unless the channel counts, groups and zero points fit.
    func validate() throws(OperatorError) {
        guard inputChannels > 0, outputChannels > 0 else {
            throw OperatorError("channel counts must be positive, got \(inputChannels)→\(outputChannels)")
        }
        guard groups > 0, inputChannels % groups == 0, outputChannels % groups == 0 else {
            throw OperatorError("groups \(groups) must divide both channel counts \(inputChannels) and \(outputChannels)")
        }
        guard weightZeroPoints.count <= 1 || weightZeroPoints.count == outputChannels else {
            throw OperatorError("\(weightZeroPoints.count) w_zero_point values for \(outputChannels) output channels (give none, one or \(outputChannels))")
        }
        if let bad = ([inputZeroPoint] + weightZeroPoints).first(where: { !(-128...255).contains($0) }) {
            throw OperatorError("zero point \(bad) is not an 8-bit value (−128…255)")
        }
    }

    /// `[batch, C, H, W]` → `[batch, M, H′, W′]`.
    func outputShape(_ input: ValueShape) throws(OperatorError) -> ValueShape {
        let expected = "[batch, \(inputChannels), height, width]"
        let sample = try ShapeChecks.sample(input, rank: 3, expected: expected)
        guard sample[0] == inputChannels else { throw OperatorError("expects \(expected)") }
        guard let output = window.outputSize(height: sample[1], width: sample[2]) else {
            throw OperatorError(window.misfit("kernel", height: sample[1], width: sample[2]))
        }
        return ValueShape([input[0], .fixed(outputChannels), .fixed(output.height), .fixed(output.width)])
    }

    /// The int32 sums `[batch, M, H′, W′]`, row-major, and that shape.
    func accumulators(input: Tensor, weight: Tensor, bias: Tensor?) -> (sums: [Int32], shape: [Int]) {
        precondition(input.rank == 4 && input.shape[1] == inputChannels && weight.shape == weightShape,
                     "integer convolution of \(input.shape) with \(weight.shape), expected [batch, \(inputChannels), H, W] and \(weightShape)")
        let batch = input.shape[0], height = input.shape[2], width = input.shape[3]
        guard let output = window.outputSize(height: height, width: width) else {
            preconditionFailure(window.misfit("kernel", height: height, width: width))
        }
        let outputHeight = output.height, outputWidth = output.width
        let groupInputs = inputChannels / groups, groupOutputs = outputChannels / groups
        let kernelHeight = window.kernel[0], kernelWidth = window.kernel[1]
        let inputZero = Int32(truncatingIfNeeded: inputZeroPoint)
        let shiftedInput = input.scalars.map { IntegerCodes.int32($0) &- inputZero }
        let filterSize = groupInputs * kernelHeight * kernelWidth
        var shiftedWeight = [Int32](repeating: 0, count: weight.count)
        for index in 0..<weight.count {
            let channel = index / filterSize
            let zero = weightZeroPoints.isEmpty ? 0 : weightZeroPoints[weightZeroPoints.count == 1 ? 0 : channel]
            shiftedWeight[index] = IntegerCodes.int32(weight.scalars[index]) &- Int32(truncatingIfNeeded: zero)
        }
        let biases = bias.map { $0.scalars.map(IntegerCodes.int32) } ?? [Int32](repeating: 0, count: outputChannels)
        var sums = [Int32](repeating: 0, count: batch * outputChannels * outputHeight * outputWidth)
        var outputIndex = 0
        for sample in 0..<batch {
            for outputChannel in 0..<outputChannels {
                let group = outputChannel / groupOutputs
                let filter = outputChannel * filterSize
                for outputRow in 0..<outputHeight {
                    for outputColumn in 0..<outputWidth {
                        var sum = biases[outputChannel]
                        for channel in 0..<groupInputs {
                            let plane = (sample * inputChannels + group * groupInputs + channel) * height * width
                            for kernelRow in 0..<kernelHeight {
                                let row = outputRow * window.strides[0] - window.pads[0] + kernelRow * window.dilations[0]
                                guard row >= 0 && row < height else { continue }
                                for kernelColumn in 0..<kernelWidth {
                                    let column = outputColumn * window.strides[1] - window.pads[1] + kernelColumn * window.dilations[1]
                                    guard column >= 0 && column < width else { continue }
                                    let weightIndex = filter + (channel * kernelHeight + kernelRow) * kernelWidth + kernelColumn
                                    sum = sum &+ shiftedInput[plane + row * width + column] &* shiftedWeight[weightIndex]
                                }
                            }
                        }
                        sums[outputIndex] = sum
                        outputIndex += 1
                    }
                }
            }
        }
        return (sums, [batch, outputChannels, outputHeight, outputWidth])
    }
}
