import CShrinkKernels

/// The sizes of one convolution call and its im2col / col2im lowering.
///
/// The window may be rectangular, with a stride and dilation per axis and asymmetric padding
/// (`padTop`, `padLeft` place the first window; the trailing pads only change the output size).
/// The lowered matrix for `samples` consecutive inputs is `[columnRows, samples·outputPixels]`
/// with `columnRows = channels·kernelHeight·kernelWidth` ordered
/// `(channel, kernelRow, kernelColumn)`, and columns ordered `(sample, outputRow, outputColumn)`.
/// With `groups > 1`, group `g`'s rows are the contiguous block
/// `g·groupRows ..< (g+1)·groupRows`, which matches the weight slice of its output channels in
/// the layout `[outputChannels, channels / groups, kernelHeight, kernelWidth]`.
struct ConvolutionGeometry {
    let channels: Int
    let height: Int
    let width: Int
    let kernelHeight: Int
    let kernelWidth: Int
    let strideHeight: Int
    let strideWidth: Int
    let dilationHeight: Int
    let dilationWidth: Int
    let padTop: Int
    let padLeft: Int
    let groups: Int
    let outputHeight: Int
    let outputWidth: Int

    /// The geometry of `window` over `[channels, height, width]` inputs split into `groups`.
    init(channels: Int, height: Int, width: Int, window: WindowGeometry, groups: Int = 1) {
        self.channels = channels
        self.height = height
        self.width = width
        kernelHeight = window.kernel[0]
        kernelWidth = window.kernel[1]
        strideHeight = window.strides[0]
        strideWidth = window.strides[1]
        dilationHeight = window.dilations[0]
        dilationWidth = window.dilations[1]
        padTop = window.pads[0]
        padLeft = window.pads[1]
        self.groups = groups
        // Zero (not a negative or truncated count) when the window does not fit.
        let size = window.outputSize(height: height, width: width)
        outputHeight = size?.height ?? 0
        outputWidth = size?.width ?? 0
    }

    /// A square window with symmetric padding and one group.
    init(channels: Int, height: Int, width: Int, kernelSize: Int, stride: Int, padding: Int) {
        self.init(channels: channels, height: height, width: width,
                  window: WindowGeometry(square: kernelSize, stride: stride, padding: padding))
    }

    var outputPixels: Int { outputHeight * outputWidth }
    var kernelArea: Int { kernelHeight * kernelWidth }
    /// Rows of the lowered matrix, all groups.
    var columnRows: Int { channels * kernelArea }
    /// Input channels of one group.
    var groupChannels: Int { channels / groups }
    /// Rows of the lowered matrix one group's GEMM reads (the weight's row length).
    var groupRows: Int { groupChannels * kernelArea }
    var inputSampleSize: Int { channels * height * width }
    var inputPlaneSize: Int { height * width }

    /// The output columns `lower..<upper` whose input column
    /// `ow·strideWidth − padLeft + kernelColumn·dilationWidth` lies inside the image.
    @inline(__always)
    func validOutputColumns(kernelColumn: Int) -> (lower: Int, upper: Int) {
        Self.validOutputRange(kernelOffset: kernelColumn &* dilationWidth, padding: padLeft, stride: strideWidth,
                              inputExtent: width, outputExtent: outputWidth)
    }

    /// The output rows `lower..<upper` whose input row
    /// `oh·strideHeight − padTop + kernelRow·dilationHeight` lies inside the image.
    @inline(__always)
    func validOutputRows(kernelRow: Int) -> (lower: Int, upper: Int) {
        Self.validOutputRange(kernelOffset: kernelRow &* dilationHeight, padding: padTop, stride: strideHeight,
                              inputExtent: height, outputExtent: outputHeight)
    }

    @inline(__always)
    private static func validOutputRange(
        kernelOffset: Int, padding: Int, stride: Int, inputExtent: Int, outputExtent: Int
    ) -> (lower: Int, upper: Int) {
        let lowNumerator = padding - kernelOffset
        let lower = min(outputExtent, lowNumerator <= 0 ? 0 : (lowNumerator + stride - 1) / stride)
        let highNumerator = inputExtent - 1 + padding - kernelOffset
        let upper = highNumerator < 0 ? 0 : min(outputExtent, highNumerator / stride + 1)
        return (lower, max(upper, lower))
    }

    /// The offset within an input plane of the element that output `(outputRow, 0)` reads at
    /// kernel tap `(kernelRow, kernelColumn)` (may lie outside the plane; only the valid range
    /// of columns is ever dereferenced).
    @inline(__always)
    func inputOffset(outputRow: Int, kernelRow: Int, kernelColumn: Int) -> Int {
        (outputRow &* strideHeight &- padTop &+ kernelRow &* dilationHeight) &* width
            &+ kernelColumn &* dilationWidth &- padLeft
    }

    /// The C kernels' description of this lowering.
    private var loweringGeometry: shrink_lowering_geometry {
        shrink_lowering_geometry(
            channels: channels, height: height, width: width, kernel_height: kernelHeight, kernel_width: kernelWidth,
            stride_height: strideHeight, stride_width: strideWidth, dilation_height: dilationHeight,
            dilation_width: dilationWidth, pad_top: padTop, pad_left: padLeft, output_height: outputHeight,
            output_width: outputWidth)
    }

    /// im2col: writes the lowered matrix `[columnRows, samples·outputPixels]` of `samples`
    /// inputs `[samples, channels, height, width]`, with zeros for padding
    /// (`shrink_lower_samples`; `lowerReference` is its plain Swift twin).
    func lower(_ input: UnsafePointer<Float>, samples: Int, into columns: UnsafeMutablePointer<Float>) {
        var geometry = loweringGeometry
        shrink_lower_samples(&geometry, samples, input, columns)
    }

    /// col2im: adds the lowered-matrix gradient `[columnRows, samples·outputPixels]` back into
    /// the input gradient `[samples, channels, height, width]` (padding positions are dropped;
    /// `shrink_accumulate_lowered_samples`; `accumulateLoweredReference` is its plain Swift twin).
    func accumulateLowered(
        _ columns: UnsafePointer<Float>, samples: Int, into inputGradient: UnsafeMutablePointer<Float>
    ) {
        var geometry = loweringGeometry
        shrink_accumulate_lowered_samples(&geometry, samples, columns, inputGradient)
    }

    /// The reference im2col: the layout of `lower`, in plain Swift.
    func lowerReference(_ input: UnsafePointer<Float>, samples: Int, into columns: UnsafeMutablePointer<Float>) {
        let pixels = outputPixels, rowWidth = samples &* pixels, planeSize = inputPlaneSize
        let outputWidth = outputWidth, strideWidth = strideWidth
        let rowStep = strideHeight &* width
        for channel in 0..<channels {
            for kernelRow in 0..<kernelHeight {
                let (firstRow, endRow) = validOutputRows(kernelRow: kernelRow)
                for kernelColumn in 0..<kernelWidth {
                    let row = (channel &* kernelHeight &+ kernelRow) &* kernelWidth &+ kernelColumn
                    let (lower, upper) = validOutputColumns(kernelColumn: kernelColumn)
                    let validCount = upper &- lower
                    let fullRows = lower == 0 && upper == outputWidth
                    let firstOffset = inputOffset(outputRow: firstRow, kernelRow: kernelRow, kernelColumn: kernelColumn)
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
                        var source = plane + firstOffset
                        var target = destination + firstRow &* outputWidth
                        if strideWidth == 1 && fullRows {
                            for _ in firstRow..<endRow {
                                VectorLoops.copy(source, to: target, count: outputWidth)
                                source += rowStep
                                target += outputWidth
                            }
                            continue
                        }
                        for _ in firstRow..<endRow {
                            if lower > 0 { target.update(repeating: 0, count: lower) }
                            if strideWidth == 1 {
                                VectorLoops.copy(source + lower, to: target + lower, count: validCount)
                            } else {
                                for outputColumn in lower..<upper { target[outputColumn] = source[outputColumn &* strideWidth] }
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

    /// The reference col2im: the sums of `accumulateLowered`, in plain Swift.
    func accumulateLoweredReference(
        _ columns: UnsafePointer<Float>, samples: Int, into inputGradient: UnsafeMutablePointer<Float>
    ) {
        let pixels = outputPixels, rowWidth = samples &* pixels, planeSize = inputPlaneSize
        let outputWidth = outputWidth, strideWidth = strideWidth
        let rowStep = strideHeight &* width
        for channel in 0..<channels {
            for kernelRow in 0..<kernelHeight {
                let (firstRow, endRow) = validOutputRows(kernelRow: kernelRow)
                guard firstRow < endRow else { continue }
                for kernelColumn in 0..<kernelWidth {
                    let row = (channel &* kernelHeight &+ kernelRow) &* kernelWidth &+ kernelColumn
                    let (lower, upper) = validOutputColumns(kernelColumn: kernelColumn)
                    let validCount = upper &- lower
                    let firstOffset = inputOffset(outputRow: firstRow, kernelRow: kernelRow, kernelColumn: kernelColumn)
                    for sample in 0..<samples {
                        let plane = inputGradient + ((sample &* channels &+ channel) &* planeSize)
                        var values = columns + (row &* rowWidth &+ sample &* pixels &+ firstRow &* outputWidth)
                        var target = plane + firstOffset
                        for _ in firstRow..<endRow {
                            if strideWidth == 1 {
                                VectorLoops.add(values + lower, to: target + lower, count: validCount)
                            } else {
                                for outputColumn in lower..<upper { target[outputColumn &* strideWidth] += values[outputColumn] }
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
