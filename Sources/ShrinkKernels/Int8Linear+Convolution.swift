import CShrinkKernels

/// Where a static-int8 convolution reads its windows: a padded channels-last u8 image
/// [imageHeight, imageWidth, channels] (spatial padding already in the image, padded with the
/// activations' zero point), output pixel (y, x) reading the kernelSize × kernelSize window at
/// (y · stride, x · stride). Channels that are a multiple of 4 are read in place.
public struct Int8ConvolutionGeometry: Equatable, Sendable {
    /// Output rows and columns.
    public let outputHeight: Int, outputWidth: Int
    /// Columns of the padded image.
    public let imageWidth: Int
    /// Channels of the image.
    public let channels: Int
    /// The square kernel's side and the stride.
    public let kernelSize: Int, stride: Int

    /// Checks the geometry: positive sizes, every window inside an image of `imageWidth` columns.
    public init(outputHeight: Int, outputWidth: Int, imageWidth: Int, channels: Int, kernelSize: Int,
                stride: Int) throws(RuntimeKernelError) {
        guard channels > 0 else {
            throw .invalidValue(name: "image channels", value: channels, allowed: "positive")
        }
        guard kernelSize > 0, stride > 0, outputHeight > 0, outputWidth > 0 else {
            throw .invalidValue(name: "convolution size", value: min(kernelSize, stride, outputHeight, outputWidth),
                                allowed: "positive kernel, stride and output sizes")
        }
        guard (outputWidth - 1) * stride + kernelSize <= imageWidth else {
            throw .invalidValue(name: "image width", value: imageWidth,
                                allowed: "at least \((outputWidth - 1) * stride + kernelSize) for the windows")
        }
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.imageWidth = imageWidth
        self.channels = channels
        self.kernelSize = kernelSize
        self.stride = stride
    }

    /// Output pixels and the depth of one window (kernelSize² · channels).
    public var pixels: Int { outputHeight * outputWidth }
    public var depth: Int { kernelSize * kernelSize * channels }
    /// Rows of the padded image the windows reach.
    public var imageHeight: Int { (outputHeight - 1) * stride + kernelSize }
}

extension Int8LinearWeights {
    /// One sample's convolution read in place from a padded channels-last `image`: y[i][j] =
    /// dequant(window(i) · W[j]) + bias[j] into `output` ([pixels, outputCount]), window(i) the
    /// kernel rows of output pixel i, depth order (kernelRow, kernelColumn, channel) — the column
    /// order these weights must be packed in (inputCount = geometry.depth). Row i's scale and
    /// zero point are `scales[i]`, `zeroPoints[i]`. No im2col buffer on AVX-512 VNNI when the
    /// channels are a multiple of 4 (`shrink_int8_convolution`); on up to `threadCount` threads
    /// (whole 64-channel panels).
    public func applyConvolution(image: UnsafePointer<UInt8>, geometry: Int8ConvolutionGeometry,
                                 scales rowScales: UnsafePointer<Float>, zeroPoints: UnsafePointer<Int32>,
                                 output: UnsafeMutablePointer<Float>, threadCount: Int = 1) throws(RuntimeKernelError) {
        guard geometry.depth == inputCount else {
            throw .countMismatch(name: "convolution window depth", expected: inputCount, actual: geometry.depth)
        }
        guard outputCount > 0 else { return }
        var shape = shrink_int8_convolution_geometry(
            output_height: geometry.outputHeight, output_width: geometry.outputWidth, image_width: geometry.imageWidth,
            channels: geometry.channels, kernel: geometry.kernelSize, stride: geometry.stride)
        let depthSteps = (inputCount + 3) / 4, panelColumns = Int(SHRINK_INT8_PANEL_COLUMNS)
        let panels = (outputCount + panelColumns - 1) / panelColumns
        if threadCount <= 1 || panels == 1 {
            // One call on this thread (no status array: nothing allocated per inference).
            let status = withBias { biasPointer in
                rowSums.withUnsafeBufferPointer { sums in
                    scales.withUnsafeBufferPointer { sw in
                        shrink_int8_convolution(&shape, outputCount, image, rowScales, zeroPoints,
                                                packed.base.assumingMemoryBound(to: Int8.self), sums.baseAddress!,
                                                sw.baseAddress!, biasPointer, output, outputCount)
                    }
                }
            }
            if status != 0 { throw .outOfMemory }
            return
        }
        // One status per panel, each written only by the thread that runs that panel's range.
        var statuses = [Int32](repeating: 0, count: panels)
        withBias { biasPointer in
            rowSums.withUnsafeBufferPointer { sums in
                scales.withUnsafeBufferPointer { sw in
                    statuses.withUnsafeMutableBufferPointer { statuses in
                        withUnsafePointer(to: &shape) { shape in
                            let weights = packed.base.assumingMemoryBound(to: Int8.self)
                            PanelSplit.forEachColumnRange(outputCount: outputCount, panelColumns: panelColumns,
                                                         threadCount: threadCount) { columns in
                                let start = columns.lowerBound
                                statuses[start / panelColumns] = shrink_int8_convolution(
                                    shape, columns.count, image, rowScales, zeroPoints, weights + start * depthSteps * 4,
                                    sums.baseAddress! + start, sw.baseAddress! + start, biasPointer.map { $0 + start },
                                    output + start, outputCount)
                            }
                        }
                    }
                }
            }
        }
        // −2 (bad geometry) cannot happen after the checks of Int8ConvolutionGeometry.
        if statuses.contains(where: { $0 != 0 }) { throw .outOfMemory }
    }
}

extension ReferenceKernels {
    /// The rows a convolution reads from a padded channels-last image ([pixels, depth], the
    /// windows copied out in (kernelRow, kernelColumn, channel) order): with
    /// `Int8LinearWeights.apply(codes:…)`, the twin of `applyConvolution`.
    public static func convolutionRows(image: [UInt8], geometry: Int8ConvolutionGeometry) -> [UInt8] {
        let k = geometry.kernelSize, channels = geometry.channels
        var rows = [UInt8]()
        rows.reserveCapacity(geometry.pixels * geometry.depth)
        for outputRow in 0..<geometry.outputHeight {
            for outputColumn in 0..<geometry.outputWidth {
                for kernelRow in 0..<k {
                    for kernelColumn in 0..<k {
                        let pixel = (outputRow * geometry.stride + kernelRow) * geometry.imageWidth
                            + outputColumn * geometry.stride + kernelColumn
                        rows.append(contentsOf: image[(pixel * channels)..<((pixel + 1) * channels)])
                    }
                }
            }
        }
        return rows
    }
}
