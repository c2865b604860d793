import ShrinkKernels

/// A stride-1 convolution computed as one GEMM per kernel tap over a zero-padded copy of the
/// input, with no im2col matrix ("implicit GEMM" on a padded grid).
///
/// `samples` inputs are padded into `[channels, samples·paddedHeight·paddedWidth + slack]`
/// (`paddedHeight = height + padTop + padBottom`, likewise the width; each channel row ends with
/// `slack` zeros). Output `(y, x)` of a sample is computed at the wide index
/// `q = sample·samplePlane + y·paddedWidth + x`, and tap `(kernelRow, kernelColumn)` reads
/// the padded input at `q + kernelRow·paddedWidth + kernelColumn`: a plain matrix whose rows
/// are the channels, so the tap's product is `W_tap[outputs, channels] · padded[tap offset…]`.
/// The wide output has `paddedWidth − outputWidth` extra columns per row and
/// `paddedHeight − outputHeight` extra rows per sample, computed and dropped; valid outputs never
/// read past their own padded row. The lowered matrix of im2col (`kernelArea` times the input) is
/// never written, at the price of those extra positions and of `kernelArea` GEMMs with a
/// `channels`-deep product instead of one `channels·kernelArea`-deep one.
///
/// Backward uses the same grid: `dW_tap += dY_wide · padded_tapᵀ`, read from a channels-last copy
/// of the padded input so that no GEMM transposes an operand (zeros at the extra positions of
/// `dY_wide` keep them out), and `dPadded[tap offset…] += W_tapᵀ · dY_wide`, whose valid part is
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

    /// The weight `[outputs, channels, kernelHeight, kernelWidth]` regrouped tap-major,
    /// `[kernelArea, outputs, channels]`.
    func tapMajor(_ weight: UnsafePointer<Float>, outputs: Int) -> [Float] {
        let channels = geometry.channels, area = geometry.kernelArea
        return [Float](unsafeUninitializedCapacity: area * outputs * channels) { buffer, count in
            for output in 0..<outputs {
                for channel in 0..<channels {
                    let source = weight + (output * channels + channel) * area
                    for tap in 0..<area { buffer[(tap * outputs + output) * channels + channel] = source[tap] }
                }
            }
            count = area * outputs * channels
        }
    }

    /// The weight regrouped tap-major and transposed, `[kernelArea, channels, outputs]`.
    func tapMajorTransposed(_ weight: UnsafePointer<Float>, outputs: Int) -> [Float] {
        let channels = geometry.channels, area = geometry.kernelArea
        return [Float](unsafeUninitializedCapacity: area * outputs * channels) { buffer, count in
            for output in 0..<outputs {
                for channel in 0..<channels {
                    let source = weight + (output * channels + channel) * area
                    for tap in 0..<area { buffer[(tap * channels + channel) * outputs + output] = source[tap] }
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
    /// grid `[outputs, samples·samplePlane]`, zeros at the extra positions.
    func spread(
        _ gradient: UnsafePointer<Float>, samples: Int, outputs: Int, into wide: UnsafeMutablePointer<Float>
    ) {
        let g = geometry, width = samples * samplePlane
        wide.update(repeating: 0, count: outputs * width)
        for sample in 0..<samples {
            for channel in 0..<outputs {
                var source = gradient + (sample * outputs + channel) * g.outputPixels
                var target = wide + channel * width + sample * samplePlane
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
        for tap in 0..<geometry.kernelArea {
            GEMM.multiply(
                m: outputs, n: width, k: channels,
                a: MatrixOperand(tapWeights + tap * outputs * channels, rowStride: channels),
                b: MatrixOperand(padded + tapOffset(tap), rowStride: stride),
                beta: tap == 0 ? 0 : 1, c: wide, cRowStride: width)
        }
        compact(wide, samples: samples, outputs: outputs, bias: bias, into: output)
    }

    /// Backward for `samples` samples: adds the tap-major weight gradient into `tapGradient`
    /// `[kernelArea, outputs, channels]`, the bias gradient into `biasGradient` (may be nil) and,
    /// when `inputGradient` is given, the input gradient into it. `transposedTapWeights` is
    /// `tapMajorTransposed`; `padded` (`channelStride · channels` floats) and `wide` are scratch.
    func backward(
        _ input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, samples: Int,
        transposedTapWeights: UnsafePointer<Float>, outputs: Int, padded: UnsafeMutablePointer<Float>,
        wide: UnsafeMutablePointer<Float>, tapGradient: UnsafeMutablePointer<Float>,
        biasGradient: UnsafeMutablePointer<Float>?, inputGradient: UnsafeMutablePointer<Float>?
    ) {
        let channels = geometry.channels, stride = channelStride(samples: samples), width = samples * samplePlane
        padChannelsLast(input, samples: samples, into: padded)
        spread(outputGradient, samples: samples, outputs: outputs, into: wide)
        if let biasGradient {
            for channel in 0..<outputs { biasGradient[channel] += VectorLoops.sum(wide + channel * width, count: width) }
        }
        for tap in 0..<geometry.kernelArea {
            // dW_tap[outputs, channels] += dY_wide · padded_tapᵀ, the transpose read channels-last.
            GEMM.multiply(
                m: outputs, n: channels, k: width,
                a: MatrixOperand(wide, rowStride: width),
                b: MatrixOperand(padded + tapOffset(tap) * channels, rowStride: channels),
                beta: 1, c: tapGradient + tap * outputs * channels, cRowStride: channels)
        }
        guard let inputGradient else { return }
        // The padded input is no longer needed: its memory takes the padded input gradient.
        padded.update(repeating: 0, count: channels * stride)
        for tap in 0..<geometry.kernelArea {
            // dPadded[channels, tap offset…] += W_tapᵀ · dY_wide
            GEMM.multiply(
                m: channels, n: width, k: outputs,
                a: MatrixOperand(transposedTapWeights + tap * outputs * channels, rowStride: outputs),
                b: MatrixOperand(wide, rowStride: width),
                beta: 1, c: padded + tapOffset(tap), cRowStride: stride)
        }
        accumulateUnpadded(padded, samples: samples, into: inputGradient)
    }
}
