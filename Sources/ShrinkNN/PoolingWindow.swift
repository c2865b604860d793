/// The sizes of a pooling call over `[batch, channels, height, width]`, and where each output
/// row's and column's window lies.
///
/// Windows start at `outputRow·strideHeight − padTop` (likewise for columns); `first..<end` is
/// the part inside the image (never empty: pads are smaller than the window), and
/// `paddedCount` the part inside the padded input, which `count_include_pad` averages divide by
/// (as PyTorch, a ceil-mode window hanging past the trailing padding is cut there).
struct PoolingWindow {
    let planes: Int
    let height: Int
    let width: Int
    let outputHeight: Int
    let outputWidth: Int
    let outputShape: [Int]
    /// The window rows of each output row.
    let rows: [(first: Int, end: Int, paddedCount: Int)]
    /// The window columns of each output column.
    let columns: [(first: Int, end: Int, paddedCount: Int)]
    /// Whether every window holds exactly `kernelHeight × kernelWidth` image elements.
    let isFull: Bool

    init(layer: String, inputShape: [Int], window: WindowGeometry, ceilMode: Bool) {
        precondition(inputShape.count == 4, "\(layer) expects [batch, channels, height, width], got \(inputShape)")
        precondition(window.pads[0] < window.kernel[0] && window.pads[2] < window.kernel[0]
                     && window.pads[1] < window.kernel[1] && window.pads[3] < window.kernel[1],
                     "\(layer): pads \(window.pads) must be smaller than the \(window.kernel[0])×\(window.kernel[1]) window")
        guard let size = window.outputSize(height: inputShape[2], width: inputShape[3], ceilMode: ceilMode) else {
            preconditionFailure("\(layer): input \(inputShape) is smaller than the padded \(window.kernel[0])×\(window.kernel[1]) window")
        }
        planes = inputShape[0] * inputShape[1]
        height = inputShape[2]
        width = inputShape[3]
        outputHeight = size.height
        outputWidth = size.width
        outputShape = [inputShape[0], inputShape[1], outputHeight, outputWidth]
        rows = Self.bounds(count: size.height, kernel: window.kernel[0], stride: window.strides[0],
                           padBegin: window.pads[0], padEnd: window.pads[2], extent: height)
        columns = Self.bounds(count: size.width, kernel: window.kernel[1], stride: window.strides[1],
                              padBegin: window.pads[1], padEnd: window.pads[3], extent: width)
        let kernelHeight = window.kernel[0], kernelWidth = window.kernel[1]
        isFull = rows.allSatisfy { $0.end - $0.first == kernelHeight } && columns.allSatisfy { $0.end - $0.first == kernelWidth }
    }

    private static func bounds(
        count: Int, kernel: Int, stride: Int, padBegin: Int, padEnd: Int, extent: Int
    ) -> [(first: Int, end: Int, paddedCount: Int)] {
        (0..<count).map { index in
            let start = index * stride - padBegin
            let paddedEnd = min(start + kernel, extent + padEnd)
            return (max(start, 0), min(start + kernel, extent), paddedEnd - start)
        }
    }

    var inputPlaneSize: Int { height * width }
    var outputPlaneSize: Int { outputHeight * outputWidth }
    /// The fewest planes worth handing to another thread: about 256 Ki input elements
    /// (LeNet's first pooling splits in two, its second stays on one thread).
    var planesPerChunk: Int { max(1, 262_144 / max(1, inputPlaneSize)) }
}
