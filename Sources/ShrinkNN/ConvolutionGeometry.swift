/// The sizes of one convolution call and its im2col / col2im lowering.
///
/// The lowered matrix for `samples` consecutive inputs is `[rows, samples·outputPixels]` with
/// `rows = channels·kernelSize²` ordered `(channel, kernelRow, kernelColumn)`, matching the
/// weight layout `[outputChannels, channels, kernelSize, kernelSize]`, and columns ordered
/// `(sample, outputRow, outputColumn)`.
struct ConvolutionGeometry {
    let channels: Int
    let height: Int
    let width: Int
    let kernelSize: Int
    let stride: Int
    let padding: Int
    let outputHeight: Int
    let outputWidth: Int

    init(channels: Int, height: Int, width: Int, kernelSize: Int, stride: Int, padding: Int) {
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        outputHeight = (height + 2 * padding - kernelSize) / stride + 1
        outputWidth = (width + 2 * padding - kernelSize) / stride + 1
    }

    var outputPixels: Int { outputHeight * outputWidth }
    var columnRows: Int { channels * kernelSize * kernelSize }
    var inputSampleSize: Int { channels * height * width }

    /// The output columns `lower..<upper` whose input column `ow·stride − padding + kernelColumn`
    /// lies inside the image.
    @inline(__always)
    private func validOutputColumns(kernelColumn: Int) -> (lower: Int, upper: Int) {
        let lowNumerator = padding - kernelColumn
        let lower = lowNumerator <= 0 ? 0 : (lowNumerator + stride - 1) / stride
        let highNumerator = width - 1 + padding - kernelColumn
        let upper = highNumerator < 0 ? 0 : min(outputWidth, highNumerator / stride + 1)
        return (min(lower, outputWidth), max(upper, min(lower, outputWidth)))
    }

    /// im2col: writes the lowered matrix `[rows, samples·outputPixels]` of `samples` inputs
    /// `[samples, channels, height, width]`, with zeros for padding.
    func lower(_ input: UnsafePointer<Float>, samples: Int, into columns: UnsafeMutablePointer<Float>) {
        let pixels = outputPixels, rowWidth = samples * pixels, planeSize = height * width
        for channel in 0..<channels {
            for kernelRow in 0..<kernelSize {
                for kernelColumn in 0..<kernelSize {
                    let row = (channel * kernelSize + kernelRow) * kernelSize + kernelColumn
                    let (lower, upper) = validOutputColumns(kernelColumn: kernelColumn)
                    let columnOffset = kernelColumn - padding
                    for sample in 0..<samples {
                        let plane = input + (sample * channels + channel) * planeSize
                        let destination = columns + row * rowWidth + sample * pixels
                        for outputRow in 0..<outputHeight {
                            let target = destination + outputRow * outputWidth
                            let inputRow = outputRow * stride - padding + kernelRow
                            guard inputRow >= 0 && inputRow < height else {
                                target.update(repeating: 0, count: outputWidth)
                                continue
                            }
                            let source = plane + inputRow * width + columnOffset
                            if lower > 0 { target.update(repeating: 0, count: lower) }
                            if stride == 1 {
                                (target + lower).update(from: source + lower, count: upper - lower)
                            } else {
                                for outputColumn in lower..<upper { target[outputColumn] = source[outputColumn * stride] }
                            }
                            if upper < outputWidth { (target + upper).update(repeating: 0, count: outputWidth - upper) }
                        }
                    }
                }
            }
        }
    }

    /// col2im: adds the lowered-matrix gradient `[rows, samples·outputPixels]` back into the
    /// input gradient `[samples, channels, height, width]` (padding positions are dropped).
    func accumulateLowered(
        _ columns: UnsafePointer<Float>, samples: Int, into inputGradient: UnsafeMutablePointer<Float>
    ) {
        let pixels = outputPixels, rowWidth = samples * pixels, planeSize = height * width
        for channel in 0..<channels {
            for kernelRow in 0..<kernelSize {
                for kernelColumn in 0..<kernelSize {
                    let row = (channel * kernelSize + kernelRow) * kernelSize + kernelColumn
                    let (lower, upper) = validOutputColumns(kernelColumn: kernelColumn)
                    let columnOffset = kernelColumn - padding
                    for sample in 0..<samples {
                        let plane = inputGradient + (sample * channels + channel) * planeSize
                        let source = columns + row * rowWidth + sample * pixels
                        for outputRow in 0..<outputHeight {
                            let inputRow = outputRow * stride - padding + kernelRow
                            guard inputRow >= 0 && inputRow < height else { continue }
                            let values = source + outputRow * outputWidth
                            let target = plane + inputRow * width + columnOffset
                            if stride == 1 {
                                for outputColumn in lower..<upper { target[outputColumn] += values[outputColumn] }
                            } else {
                                for outputColumn in lower..<upper { target[outputColumn * stride] += values[outputColumn] }
                            }
                        }
                    }
                }
            }
        }
    }
}
