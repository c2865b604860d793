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
        validOutputRange(kernelOffset: kernelColumn, inputExtent: width, outputExtent: outputWidth)
    }

    /// The output rows `lower..<upper` whose input row `oh·stride − padding + kernelRow` lies
    /// inside the image.
    @inline(__always)
    private func validOutputRows(kernelRow: Int) -> (lower: Int, upper: Int) {
        validOutputRange(kernelOffset: kernelRow, inputExtent: height, outputExtent: outputHeight)
    }

    @inline(__always)
    private func validOutputRange(kernelOffset: Int, inputExtent: Int, outputExtent: Int) -> (lower: Int, upper: Int) {
        let lowNumerator = padding - kernelOffset
        let lower = min(outputExtent, lowNumerator <= 0 ? 0 : (lowNumerator + stride - 1) / stride)
        let highNumerator = inputExtent - 1 + padding - kernelOffset
        let upper = highNumerator < 0 ? 0 : min(outputExtent, highNumerator / stride + 1)
        return (lower, max(upper, lower))
    }

    /// im2col: writes the lowered matrix `[rows, samples·outputPixels]` of `samples` inputs
    /// `[samples, channels, height, width]`, with zeros for padding.
    func lower(_ input: UnsafePointer<Float>, samples: Int, into columns: UnsafeMutablePointer<Float>) {
        let pixels = outputPixels, rowWidth = samples &* pixels, planeSize = height &* width
        let outputWidth = outputWidth, width = width, stride = stride
        let rowStep = stride &* width
        for channel in 0..<channels {
            for kernelRow in 0..<kernelSize {
                let (firstRow, endRow) = validOutputRows(kernelRow: kernelRow)
                for kernelColumn in 0..<kernelSize {
                    let row = (channel &* kernelSize &+ kernelRow) &* kernelSize &+ kernelColumn
                    let (lower, upper) = validOutputColumns(kernelColumn: kernelColumn)
                    let validCount = upper &- lower
                    let fullRows = lower == 0 && upper == outputWidth
                    for sample in 0..<samples {
                        let destination = columns + (row &* rowWidth &+ sample &* pixels)
                        // Rows that fall into the vertical padding.
                        if firstRow > 0 { destination.update(repeating: 0, count: firstRow &* outputWidth) }
                        if endRow < outputHeight {
                            (destination + endRow &* outputWidth)
                                .update(repeating: 0, count: (outputHeight &- endRow) &* outputWidth)
                        }
                        guard firstRow < endRow else { continue }
                        let plane = input + ((sample &* channels &+ channel) &* planeSize)
                        // Input element of output (firstRow, 0).
                        var source = plane + ((firstRow &* stride &- padding &+ kernelRow) &* width &+ kernelColumn &- padding)
                        var target = destination + firstRow &* outputWidth
                        if stride == 1 && fullRows {
                            for _ in firstRow..<endRow {
                                VectorLoops.copy(source, to: target, count: outputWidth)
                                source += rowStep
                                target += outputWidth
                            }
                            continue
                        }
                        for _ in firstRow..<endRow {
                            if lower > 0 { target.update(repeating: 0, count: lower) }
                            if stride == 1 {
                                VectorLoops.copy(source + lower, to: target + lower, count: validCount)
                            } else {
                                for outputColumn in lower..<upper { target[outputColumn] = source[outputColumn &* stride] }
                            }
                            if upper < outputWidth { (target + upper).update(repeating: 0, count: outputWidth &- upper) }
                            source += rowStep
                            target += outputWidth
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
        let pixels = outputPixels, rowWidth = samples &* pixels, planeSize = height &* width
        let outputWidth = outputWidth, width = width, stride = stride
        let rowStep = stride &* width
        for channel in 0..<channels {
            for kernelRow in 0..<kernelSize {
                let (firstRow, endRow) = validOutputRows(kernelRow: kernelRow)
                guard firstRow < endRow else { continue }
                for kernelColumn in 0..<kernelSize {
                    let row = (channel &* kernelSize &+ kernelRow) &* kernelSize &+ kernelColumn
                    let (lower, upper) = validOutputColumns(kernelColumn: kernelColumn)
                    let validCount = upper &- lower
                    for sample in 0..<samples {
                        let plane = inputGradient + ((sample &* channels &+ channel) &* planeSize)
                        var values = columns + (row &* rowWidth &+ sample &* pixels &+ firstRow &* outputWidth)
                        var target = plane + ((firstRow &* stride &- padding &+ kernelRow) &* width &+ kernelColumn &- padding)
                        for _ in firstRow..<endRow {
                            if stride == 1 {
                                VectorLoops.add(values + lower, to: target + lower, count: validCount)
                            } else {
                                for outputColumn in lower..<upper { target[outputColumn &* stride] += values[outputColumn] }
                            }
                            values += outputWidth
                            target += rowStep
                        }
                    }
                }
            }
        }
    }
}
