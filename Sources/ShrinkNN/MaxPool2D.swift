import ShrinkKernels
import ShrinkTensor

/// Max pooling over square windows without padding (floor mode, like PyTorch's default).
///
/// Input `[batch, channels, height, width]`, output `[batch, channels, outputHeight, outputWidth]`
/// with `outputHeight = (height − kernelSize) / stride + 1`. The position of each window's
/// maximum (the first one on ties) is recorded for `backward`.
public final class MaxPool2D: Layer {
    public let name: String
    public let kernelSize: Int
    public let stride: Int

    /// For each output element of the last training forward, the offset of its maximum within
    /// its `[height, width]` input plane.
    private var argmax: [Int32] = []
    private var cachedInputShape: [Int]?

    public init(name: String, kernelSize: Int, stride: Int) {
        precondition(kernelSize > 0 && stride > 0, "MaxPool2D '\(name)' needs a positive kernel size and stride")
        self.name = name
        self.kernelSize = kernelSize
        self.stride = stride
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        let window = PoolingWindow(layer: "MaxPool2D '\(name)'", inputShape: input.shape, kernelSize: kernelSize, stride: stride)
        let outputCount = window.planes * window.outputPlaneSize
        let recordsArgmax = mode == .training
        if recordsArgmax && argmax.count != outputCount {
            argmax = [Int32](repeating: 0, count: outputCount)
        }
        let kernel = kernelSize, stride = stride
        let scalars = [Float].uninitialized(count: outputCount) { output in
            input.withUnsafeBufferPointer { x in
                argmax.withUnsafeMutableBufferPointer { indices in
                    let argmaxTarget = recordsArgmax ? indices.baseAddress : nil
                    Parallelism.forEachChunk(count: window.planes, minimumChunk: window.planesPerChunk) { planes in
                        for plane in planes {
                            let source = x.baseAddress! + plane * window.inputPlaneSize
                            let planeOutput = output + plane * window.outputPlaneSize
                            let planeIndices = argmaxTarget.map { $0 + plane * window.outputPlaneSize }
                            if kernel == 2 {
                                pool2x2(source, width: window.width, stride: stride, window: window,
                                        output: planeOutput, indices: planeIndices)
                            } else {
                                poolGeneric(source, width: window.width, kernel: kernel, stride: stride, window: window,
                                            output: planeOutput, indices: planeIndices)
                            }
                        }
                    }
                }
            }
        }
        cachedInputShape = recordsArgmax ? input.shape : nil
        return Tensor(shape: window.outputShape, scalars: scalars)
    }

    /// One plane, any window: the first maximum of each window.
    @inline(__always)
    private func poolGeneric(
        _ source: UnsafePointer<Float>, width: Int, kernel: Int, stride: Int, window: PoolingWindow,
        output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?
    ) {
        for outputRow in 0..<window.outputHeight {
            for outputColumn in 0..<window.outputWidth {
                let corner = outputRow * stride * width + outputColumn * stride
                var best = source[corner]
                var bestOffset = corner
                for kernelRow in 0..<kernel {
                    let rowStart = corner + kernelRow * width
                    for kernelColumn in 0..<kernel where source[rowStart + kernelColumn] > best {
                        best = source[rowStart + kernelColumn]
                        bestOffset = rowStart + kernelColumn
                    }
                }
                let outputIndex = outputRow * window.outputWidth + outputColumn
                output[outputIndex] = best
                indices?[outputIndex] = Int32(bestOffset)
            }
        }
    }

    /// One plane, 2×2 windows (LeNet's pooling), unrolled; same tie rule as `poolGeneric`.
    @inline(__always)
    private func pool2x2(
        _ source: UnsafePointer<Float>, width: Int, stride: Int, window: PoolingWindow,
        output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?
    ) {
        for outputRow in 0..<window.outputHeight {
            let top = outputRow * stride * width
            for outputColumn in 0..<window.outputWidth {
                let topLeft = top + outputColumn * stride
                let bottomLeft = topLeft + width
                var best = source[topLeft], bestOffset = topLeft
                if source[topLeft + 1] > best { best = source[topLeft + 1]; bestOffset = topLeft + 1 }
                if source[bottomLeft] > best { best = source[bottomLeft]; bestOffset = bottomLeft }
                if source[bottomLeft + 1] > best { best = source[bottomLeft + 1]; bestOffset = bottomLeft + 1 }
                let outputIndex = outputRow * window.outputWidth + outputColumn
                output[outputIndex] = best
                indices?[outputIndex] = Int32(bestOffset)
            }
        }
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let inputShape = cachedInputShape else {
            preconditionFailure("MaxPool2D '\(name)': backward without a training forward pass")
        }
        let window = PoolingWindow(layer: "MaxPool2D '\(name)'", inputShape: inputShape, kernelSize: kernelSize, stride: stride)
        precondition(outputGradient.shape == window.outputShape,
                     "MaxPool2D '\(name)': output gradient shape \(outputGradient.shape) does not match \(window.outputShape)")
        var inputGradient = Tensor(zeros: inputShape)
        inputGradient.withUnsafeMutableBufferPointer { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                argmax.withUnsafeBufferPointer { indices in
                    Parallelism.forEachChunk(count: window.planes, minimumChunk: window.planesPerChunk) { planes in
                        for plane in planes {
                            let target = dx.baseAddress! + plane * window.inputPlaneSize
                            let base = plane * window.outputPlaneSize
                            for index in base..<(base + window.outputPlaneSize) {
                                target[Int(indices[index])] += dy[index]
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}

/// The sizes of a pooling call over `[batch, channels, height, width]`.
struct PoolingWindow {
    let planes: Int
    let height: Int
    let width: Int
    let outputHeight: Int
    let outputWidth: Int
    let outputShape: [Int]

    init(layer: String, inputShape: [Int], kernelSize: Int, stride: Int) {
        precondition(inputShape.count == 4, "\(layer) expects [batch, channels, height, width], got \(inputShape)")
        precondition(inputShape[2] >= kernelSize && inputShape[3] >= kernelSize,
                     "\(layer): input \(inputShape) is smaller than the \(kernelSize)×\(kernelSize) window")
        planes = inputShape[0] * inputShape[1]
        height = inputShape[2]
        width = inputShape[3]
        outputHeight = (height - kernelSize) / stride + 1
        outputWidth = (width - kernelSize) / stride + 1
        outputShape = [inputShape[0], inputShape[1], outputHeight, outputWidth]
    }

    var inputPlaneSize: Int { height * width }
    var outputPlaneSize: Int { outputHeight * outputWidth }
    /// The fewest planes worth handing to another thread: about 256 Ki input elements
    /// (LeNet's first pooling splits in two, its second stays on one thread).
    var planesPerChunk: Int { max(1, 262_144 / max(1, inputPlaneSize)) }
}
