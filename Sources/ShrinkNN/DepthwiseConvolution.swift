/// Depthwise convolution (groups == input channels, each input channel feeding `multiplier`
/// output channels) as direct loops over one channel's planes.
///
/// With one input channel per group, im2col + GEMM degenerates into `m = multiplier` products
/// that spend their time lowering; these loops instead add `tap · input row` into each output
/// row for every kernel tap (an 8-wide multiply-add when the column stride is 1). Work is split
/// by input channel: a channel's output planes, input-gradient planes and weight-gradient rows
/// belong to it alone, so chunks never share memory and sums run in a fixed order whatever the
/// thread count.
///
/// Layouts: input `[batch, channels, height, width]`, weight `[channels·multiplier, 1,
/// kernelHeight, kernelWidth]`, output `[batch, channels·multiplier, outputHeight, outputWidth]`
/// (output channel `c·multiplier + j` reads input channel `c`).
struct DepthwiseConvolution {
    let geometry: ConvolutionGeometry
    let multiplier: Int
    let batch: Int

    var outputChannels: Int { geometry.channels * multiplier }

    /// Calls `body` with the valid output-column range of every kernel column, as
    /// `bounds[2·kernelColumn]` (first) and `bounds[2·kernelColumn + 1]` (end).
    @inline(__always)
    private func withColumnBounds(_ body: (UnsafeMutablePointer<Int>) -> Void) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * geometry.kernelWidth) { buffer in
            let bounds = buffer.baseAddress!
            for kernelColumn in 0..<geometry.kernelWidth {
                let (lower, upper) = geometry.validOutputColumns(kernelColumn: kernelColumn)
                bounds[2 * kernelColumn] = lower
                bounds[2 * kernelColumn + 1] = upper
            }
            body(bounds)
        }
    }

    /// Computes the output planes of input channels `channels` for every sample.
    func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, channels: Range<Int>
    ) {
        let geometry = geometry
        let planeSize = geometry.inputPlaneSize, pixels = geometry.outputPixels
        let kernelHeight = geometry.kernelHeight, kernelWidth = geometry.kernelWidth, area = geometry.kernelArea
        let height = geometry.height, width = geometry.width
        let outputHeight = geometry.outputHeight, outputWidth = geometry.outputWidth
        let strideWidth = geometry.strideWidth
        let outputChannels = outputChannels, inputChannels = geometry.channels
        withColumnBounds { bounds in
            for channel in channels {
                for sample in 0..<batch {
                    let plane = input + (sample &* inputChannels &+ channel) &* planeSize
                    for copy in 0..<multiplier {
                        let outputChannel = channel &* multiplier &+ copy
                        let taps = weight + outputChannel &* area
                        let target = output + (sample &* outputChannels &+ outputChannel) &* pixels
                        target.update(repeating: bias?[outputChannel] ?? 0, count: pixels)
                        for outputRow in 0..<outputHeight {
                            let rowTarget = target + outputRow &* outputWidth
                            for kernelRow in 0..<kernelHeight {
                                let inputRow = outputRow &* geometry.strideHeight &- geometry.padTop
                                    &+ kernelRow &* geometry.dilationHeight
                                guard inputRow >= 0, inputRow < height else { continue }
                                let rowSource = plane + (inputRow &* width &- geometry.padLeft)
                                for kernelColumn in 0..<kernelWidth {
                                    let lower = bounds[2 &* kernelColumn], upper = bounds[2 &* kernelColumn &+ 1]
                                    let tap = taps[kernelRow &* kernelWidth &+ kernelColumn]
                                    let source = rowSource + kernelColumn &* geometry.dilationWidth
                                    if strideWidth == 1 {
                                        VectorLoops.multiplyAdd(tap, source + lower, to: rowTarget + lower, count: upper &- lower)
                                    } else {
                                        for outputColumn in lower..<upper {
                                            rowTarget[outputColumn] += tap * source[outputColumn &* strideWidth]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Back-propagates through input channels `channels`: adds their weight (and bias)
    /// gradients into `weightGradient` (`biasGradient`) and, when `inputGradient` is given,
    /// adds into its (zero-initialized) planes.
    func backward(
        input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>,
        biasGradient: UnsafeMutablePointer<Float>?, channels: Range<Int>
    ) {
        let geometry = geometry
        let planeSize = geometry.inputPlaneSize, pixels = geometry.outputPixels
        let kernelHeight = geometry.kernelHeight, kernelWidth = geometry.kernelWidth, area = geometry.kernelArea
        let height = geometry.height, width = geometry.width
        let outputHeight = geometry.outputHeight, outputWidth = geometry.outputWidth
        let strideWidth = geometry.strideWidth
        let outputChannels = outputChannels, inputChannels = geometry.channels
        withColumnBounds { bounds in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: area) { buffer in
                let tapGradients = buffer.baseAddress!
                for channel in channels {
                    for copy in 0..<multiplier {
                        let outputChannel = channel &* multiplier &+ copy
                        let taps = weight + outputChannel &* area
                        tapGradients.update(repeating: 0, count: area)
                        var biasSum: Float = 0
                        for sample in 0..<batch {
                            let plane = input + (sample &* inputChannels &+ channel) &* planeSize
                            let gradientPlane = inputGradient.map { $0 + (sample &* inputChannels &+ channel) &* planeSize }
                            let outputPlane = outputGradient + (sample &* outputChannels &+ outputChannel) &* pixels
                            if biasGradient != nil { biasSum += VectorLoops.sum(outputPlane, count: pixels) }
                            for outputRow in 0..<outputHeight {
                                let rowGradient = outputPlane + outputRow &* outputWidth
                                for kernelRow in 0..<kernelHeight {
                                    let inputRow = outputRow &* geometry.strideHeight &- geometry.padTop
                                        &+ kernelRow &* geometry.dilationHeight
                                    guard inputRow >= 0, inputRow < height else { continue }
                                    let rowOffset = inputRow &* width &- geometry.padLeft
                                    for kernelColumn in 0..<kernelWidth {
                                        let lower = bounds[2 &* kernelColumn], upper = bounds[2 &* kernelColumn &+ 1]
                                        let tapIndex = kernelRow &* kernelWidth &+ kernelColumn
                                        let offset = rowOffset &+ kernelColumn &* geometry.dilationWidth
                                        let source = plane + offset
                                        if strideWidth == 1 {
                                            let count = upper &- lower
                                            tapGradients[tapIndex] += VectorLoops.dot(rowGradient + lower, source + lower, count: count)
                                            if let gradientPlane {
                                                VectorLoops.multiplyAdd(taps[tapIndex], rowGradient + lower,
                                                                        to: gradientPlane + offset + lower, count: count)
                                            }
                                        } else {
                                            var sum: Float = 0
                                            for outputColumn in lower..<upper {
                                                sum += rowGradient[outputColumn] * source[outputColumn &* strideWidth]
                                            }
                                            tapGradients[tapIndex] += sum
                                            if let gradientPlane {
                                                let target = gradientPlane + offset, tap = taps[tapIndex]
                                                for outputColumn in lower..<upper {
                                                    target[outputColumn &* strideWidth] += tap * rowGradient[outputColumn]
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        let target = weightGradient + outputChannel &* area
                        for index in 0..<area { target[index] += tapGradients[index] }
                        biasGradient?[outputChannel] += biasSum
                    }
                }
            }
        }
    }
}
