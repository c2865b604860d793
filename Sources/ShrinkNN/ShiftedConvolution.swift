import CShrinkKernels
import ShrinkKernels

/// A stride-1 convolution computed directly on a zero-padded copy of the input, as a sum over
/// kernel taps of shifted matrix products, with no im2col matrix ("implicit GEMM" on a padded grid).
///
/// `samples` inputs are padded into `[channels, samples·paddedHeight·paddedWidth + slack]`
/// (`paddedHeight = height + padTop + padBottom`, likewise the width; each channel row ends with
/// `slack` zeros). Output `(y, x)` of a sample is computed at the wide index
/// `q = sample·samplePlane + y·paddedWidth + x`, and tap `(kernelRow, kernelColumn)` reads
/// the padded input at `q + kernelRow·paddedWidth + kernelColumn`: a plain matrix whose rows
/// are the channels, so the tap's product is `W_tap[outputs, channels] · padded[tap offset…]`,
/// and `shrink_shifted_tap_sum` adds up all taps' products in registers before one store.
/// The wide output has `paddedWidth − outputWidth` extra columns per row and
/// `paddedHeight − outputHeight` extra rows per sample, computed and dropped; valid outputs never
/// read past their own padded row. The lowered matrix of im2col (`kernelArea` times the input) is
/// never written, at the price of those extra positions.
///
/// Backward uses the same grid: `dW_tap += dY_wide · padded_tapᵀ`, read from a channels-last copy
/// of the padded input so that no GEMM transposes an operand (zeros at the extra positions of
/// `dY_wide` keep them out), and `dPadded[p] = Σ_tap W_tapᵀ · dY_wide[p − tap offset]` (the
/// same tap sum with negative offsets, `dY_wide` stored after `slack` zeros), whose valid part is
/// the input gradient. Chosen by `Convolution2D` for ungrouped, stride-1, undilated windows
/// with more than one tap where at least `minimumValidFraction` of the wide grid is valid.
struct ShiftedConvolution {
    let geometry: ConvolutionGeometry
    let paddedHeight: Int
    let paddedWidth: Int

    /// The smallest share of valid outputs on the wide grid for which the shifted form beats
    /// im2col (ResNet-20's 32×32 and 16×16 stages qualify at 0.89 and 0.79, its 8×8 stage at 0.64 not).
    static let minimumValidFraction = 0.75

    init(_ geometry: ConvolutionGeometry) {
        self.geometry = geometry
        paddedHeight = geometry.outputHeight + geometry.kernelHeight - 1
        paddedWidth = geometry.outputWidth + geometry.kernelWidth - 1
    }

    /// Whether `geometry` can and should run shifted.
    static func suits(_ geometry: ConvolutionGeometry) -> Bool {
        guard geometry.groups == 1, geometry.strideHeight == 1, geometry.strideWidth == 1,
              geometry.dilationHeight == 1, geometry.dilationWidth == 1, geometry.kernelArea > 1,
              geometry.outputPixels > 0 else { return false }
        let shifted = ShiftedConvolution(geometry)
        return Double(geometry.outputPixels) >= minimumValidFraction * Double(shifted.samplePlane)
    }

    /// Floats of one sample's padded plane.
    var samplePlane: Int { paddedHeight * paddedWidth }
    /// Zeros after each padded channel row, so the last sample's extra columns stay in the row.
    var slack: Int { (geometry.kernelHeight - 1) * paddedWidth + geometry.kernelWidth - 1 }
    /// The row stride of the padded input for `samples` samples.
    func channelStride(samples: Int) -> Int { samples * samplePlane + slack }
    /// Where tap `tap` (row-major over the kernel) starts reading the padded input.
    func tapOffset(_ tap: Int) -> Int {
        (tap / geometry.kernelWidth) * paddedWidth + tap % geometry.kernelWidth
    }
    /// Every tap's offset, in tap order.
    var tapOffsets: [Int] { (0..<geometry.kernelArea).map(tapOffset) }
    /// The row stride of the spread output gradient, `slack` zeros then `samples·samplePlane` values.
    func gradientStride(samples: Int) -> Int { slack + samples * samplePlane }

    /// `shrink_shifted_tap_sum` with `accumulate` off.
    static func tapSum(
        outputs: Int, channels: Int, offsets: [Int], weights: UnsafePointer<Float>, input: UnsafePointer<Float>,
        inputStride: Int, width: Int, output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        offsets.withUnsafeBufferPointer { offsets in
            shrink_shifted_tap_sum(outputs, channels, offsets.count, offsets.baseAddress!, weights, input, inputStride,
                                   width, output, outputStride, 0)
        }
    }

    /// The plain Swift twin of `shrink_shifted_tap_sum` (accumulate off): per output and
    /// position, the sum over taps then channels.
    static func tapSumReference(
        outputs: Int, channels: Int, offsets: [Int], weights: UnsafePointer<Float>, input: UnsafePointer<Float>,
        inputStride: Int, width: Int, output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        for row in 0..<outputs {
            for position in 0..<width {
                var sum: Float = 0
                for (tap, offset) in offsets.enumerated() {
                    for channel in 0..<channels {
                        sum += weights[(tap * outputs + row) * channels + channel]
                            * input[channel * inputStride + position + offset]
                    }
                }
                output[row * outputStride + position] = sum
            }
        }
    }

    /// The weight `[outputs, channels, kernelHeight, kernelWidth]` regrouped tap-major:
    /// `[kernelArea, outputs, channels]`, or `[kernelArea, channels, outputs]` when `transposed`
    /// (the input gradient's weights).
    func tapMajor(_ weight: UnsafePointer<Float>, outputs: Int, transposed: Bool = false) -> [Float] {
        let channels = geometry.channels, area = geometry.kernelArea
        // Where element (output, channel) of one tap's matrix goes.
        let (outputStride, channelStride) = transposed ? (1, outputs) : (channels, 1)
        return [Float](unsafeUninitializedCapacity: area * outputs * channels) { buffer, count in
            for output in 0..<outputs {
                for channel in 0..<channels {
                    let source = weight + (output * channels + channel) * area
                    let target = output * outputStride + channel * channelStride
                    for tap in 0..<area { buffer[tap * outputs * channels + target] = source[tap] }
                }
            }
            count = area * outputs * channels
        }
    }

    /// Writes `samples` inputs into the padded layout transposed, channels last:
    /// `[samples·samplePlane + slack, channels]`.
    func padChannelsLast(_ input: UnsafePointer<Float>, samples: Int, into padded: UnsafeMutablePointer<Float>) {
        let g = geometry, channels = g.channels
        padded.update(repeating: 0, count: channelStride(samples: samples) * channels)
        for sample in 0..<samples {
            for row in 0..<g.height {
                let target = padded + (sample * samplePlane + (row + g.padTop) * paddedWidth + g.padLeft) * channels
                for channel in 0..<channels {
                    let source = input + (sample * channels + channel) * g.inputPlaneSize + row * g.width
                    for column in 0..<g.width { target[column * channels + channel] = source[column] }
                }
            }
        }
    }

    /// Writes `samples` inputs `[samples, channels, height, width]` into the padded layout.
    func pad(_ input: UnsafePointer<Float>, samples: Int, into padded: UnsafeMutablePointer<Float>) {
        let g = geometry, stride = channelStride(samples: samples)
        padded.update(repeating: 0, count: g.channels * stride)
        for channel in 0..<g.channels {
            for sample in 0..<samples {
                var source = input + (sample * g.channels + channel) * g.inputPlaneSize
                var target = padded + channel * stride + sample * samplePlane + g.padTop * paddedWidth + g.padLeft
                for _ in 0..<g.height {
                    VectorLoops.copy(source, to: target, count: g.width)
                    source += g.width
                    target += paddedWidth
                }
            }
        }
    }

    /// Adds the valid part of a padded-layout gradient into `[samples, channels, height, width]`.
    func accumulateUnpadded(_ padded: UnsafePointer<Float>, samples: Int, into gradient: UnsafeMutablePointer<Float>) {
        let g = geometry, stride = channelStride(samples: samples)
        for channel in 0..<g.channels {
            for sample in 0..<samples {
                var source = padded + channel * stride + sample * samplePlane + g.padTop * paddedWidth + g.padLeft
                var target = gradient + (sample * g.channels + channel) * g.inputPlaneSize
                for _ in 0..<g.height {
                    VectorLoops.add(source, to: target, count: g.width)
                    source += paddedWidth
                    target += g.width
                }
            }
        }
    }

    /// `outputs` rows of valid outputs from the wide grid `[outputs, samples·samplePlane]` into
    /// `[samples, outputs, outputHeight, outputWidth]`, adding `bias` (may be nil).
    func compact(
        _ wide: UnsafePointer<Float>, samples: Int, outputs: Int, bias: UnsafePointer<Float>?,
        into output: UnsafeMutablePointer<Float>
    ) {
        let g = geometry, width = samples * samplePlane
        for sample in 0..<samples {
            for channel in 0..<outputs {
                var source = wide + channel * width + sample * samplePlane
                var target = output + (sample * outputs + channel) * g.outputPixels
                let shift = bias?[channel] ?? 0
                for _ in 0..<g.outputHeight {
                    VectorLoops.copyAdding(shift, source, to: target, count: g.outputWidth)
                    source += paddedWidth
                    target += g.outputWidth
                }
            }
        }
    }

    /// The output gradient `[samples, outputs, outputHeight, outputWidth]` spread onto the wide
    /// grid, rows of `gradientStride` floats: `slack` zeros, then `samples·samplePlane` values
    /// with zeros at the extra positions.
    func spread(
        _ gradient: UnsafePointer<Float>, samples: Int, outputs: Int, into wide: UnsafeMutablePointer<Float>
    ) {
        let g = geometry, stride = gradientStride(samples: samples)
        wide.update(repeating: 0, count: outputs * stride)
        for sample in 0..<samples {
            for channel in 0..<outputs {
                var source = gradient + (sample * outputs + channel) * g.outputPixels
                var target = wide + channel * stride + slack + sample * samplePlane
                for _ in 0..<g.outputHeight {
                    VectorLoops.copy(source, to: target, count: g.outputWidth)
                    source += g.outputWidth
                    target += paddedWidth
                }
            }
        }
    }

    /// Forward for `samples` samples: pads into `padded`, multiplies tap by tap into `wide`,
    /// compacts into `output`.
    func forward(
        _ input: UnsafePointer<Float>, samples: Int, tapWeights: UnsafePointer<Float>, outputs: Int,
        bias: UnsafePointer<Float>?, padded: UnsafeMutablePointer<Float>, wide: UnsafeMutablePointer<Float>,
        output: UnsafeMutablePointer<Float>
    ) {
        let channels = geometry.channels, stride = channelStride(samples: samples), width = samples * samplePlane
        pad(input, samples: samples, into: padded)
        Self.tapSum(outputs: outputs, channels: channels, offsets: tapOffsets, weights: tapWeights, input: padded,
                    inputStride: stride, width: width, output: wide, outputStride: width)
        compact(wide, samples: samples, outputs: outputs, bias: bias, into: output)
    }

    /// Backward for `samples` samples: adds the tap-major weight gradient into `tapGradient`
    /// `[kernelArea, outputs, channels]`, the bias gradient into `biasGradient` (may be nil) and,
    /// when `inputGradient` is given, the input gradient into it. `transposedTapWeights` is
    /// `tapMajor(_:outputs:transposed: true)`; `padded` (`channelStride · channels` floats) and `wide`
    /// (`gradientStride · outputs`) are scratch.
    func backward(
        _ input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, samples: Int,
        transposedTapWeights: UnsafePointer<Float>, outputs: Int, padded: UnsafeMutablePointer<Float>,
        wide: UnsafeMutablePointer<Float>, tapGradient: UnsafeMutablePointer<Float>,
        biasGradient: UnsafeMutablePointer<Float>?, inputGradient: UnsafeMutablePointer<Float>?
    ) {
        let channels = geometry.channels, stride = channelStride(samples: samples), width = samples * samplePlane
        let wideStride = gradientStride(samples: samples), gradient = wide + slack
        padChannelsLast(input, samples: samples, into: padded)
        spread(outputGradient, samples: samples, outputs: outputs, into: wide)
        if let biasGradient {
            for channel in 0..<outputs {
                biasGradient[channel] += VectorLoops.sum(gradient + channel * wideStride, count: width)
            }
        }
        for tap in 0..<geometry.kernelArea {
            // dW_tap[outputs, channels] += dY_wide · padded_tapᵀ, the transpose read channels-last.
            GEMM.multiply(
                m: outputs, n: channels, k: width,
                a: MatrixOperand(gradient, rowStride: wideStride),
                b: MatrixOperand(padded + tapOffset(tap) * channels, rowStride: channels),
                beta: 1, c: tapGradient + tap * outputs * channels, cRowStride: channels)
        }
        guard let inputGradient else { return }
        // dPadded[channels, p] = Σ_tap W_tapᵀ · dY_wide[p − tap offset], written over the padded
        // input (no longer needed); the slack zeros before dY_wide cover the negative offsets.
        Self.tapSum(outputs: channels, channels: outputs, offsets: tapOffsets.map { -$0 }, weights: transposedTapWeights,
                    input: gradient, inputStride: wideStride, width: width, output: padded, outputStride: stride)
        accumulateUnpadded(padded, samples: samples, into: inputGradient)
    }
}
