import ShrinkKernels
import ShrinkTensor

/// Max pooling (PyTorch's `MaxPool2d`, ONNX `MaxPool`) over rectangular windows with a stride
/// per axis and asymmetric padding that never wins (padded positions are skipped, not zeros).
///
/// Input `[batch, channels, height, width]`, output `[batch, channels, outputHeight, outputWidth]`
/// with `outputHeight = (height + padTop + padBottom − kernelHeight) / strideHeight + 1`, rounded
/// up instead in ceil mode. The position of each window's maximum (the first one on ties) is
/// recorded for `backward`.
public final class MaxPool2D: Layer {
    public let name: String
    /// Kernel extent, strides and pads (`[top, left, bottom, right]`, each smaller than the
    /// kernel along its axis); dilations must be 1.
    public let window: WindowGeometry
    /// Whether the output size rounds up (PyTorch's `ceil_mode`).
    public let ceilMode: Bool

    /// The window height (the kernel size of a square window, as chain architectures describe it).
    public var kernelSize: Int { window.kernel[0] }
    /// The vertical stride (the stride of a square window).
    public var stride: Int { window.strides[0] }


    /// For each output element of the last training forward, the offset of its maximum within
    /// its `[height, width]` input plane.
    private var argmax: [Int32] = []
    private var cachedInputShape: [Int]?

    public init(name: String, window: WindowGeometry, ceilMode: Bool = false) {
        precondition(window.kernel.allSatisfy { $0 > 0 } && window.strides.allSatisfy { $0 > 0 }
                     && window.pads.allSatisfy { $0 >= 0 } && window.dilations == [1, 1],
                     "MaxPool2D '\(name)' needs a positive window and strides, non-negative pads and no dilation")
        self.name = name
        self.window = window
        self.ceilMode = ceilMode
    }

    /// A square window without padding.
    public convenience init(name: String, kernelSize: Int, stride: Int) {
        precondition(kernelSize > 0 && stride > 0, "MaxPool2D '\(name)' needs a positive kernel size and stride")
        self.init(name: name, window: WindowGeometry(square: kernelSize, stride: stride))
    }


    public var parameters: [Parameter] { [] }

    private func poolingWindow(_ shape: [Int]) -> PoolingWindow {
        PoolingWindow(layer: "MaxPool2D '\(name)'", inputShape: shape, window: window, ceilMode: ceilMode)
    }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        let window = poolingWindow(input.shape)
        let outputCount = window.planes * window.outputPlaneSize
        let recordsArgmax = mode == .training
        if recordsArgmax && argmax.count != outputCount {
            argmax = [Int32](repeating: 0, count: outputCount)
        }
        let twoByTwo = window.isFull && self.window.kernel == [2, 2]
        let strideHeight = self.window.strides[0], strideWidth = self.window.strides[1]
        let scalars = [Float].uninitialized(count: outputCount) { output in
            input.withUnsafeBufferPointer { x in
                argmax.withUnsafeMutableBufferPointer { indices in
                    let argmaxTarget = recordsArgmax ? indices.baseAddress : nil
                    Parallelism.forEachChunk(count: window.planes, minimumChunk: window.planesPerChunk) { planes in
                        for plane in planes {
                            let source = x.baseAddress! + plane * window.inputPlaneSize
                            let planeOutput = output + plane * window.outputPlaneSize
                            let planeIndices = argmaxTarget.map { $0 + plane * window.outputPlaneSize }
                            if twoByTwo {
                                pool2x2(source, strideHeight: strideHeight, strideWidth: strideWidth, window: window,
                                        output: planeOutput, indices: planeIndices)
                            } else {
                                poolGeneric(source, window: window, output: planeOutput, indices: planeIndices)
                            }
                        }
                    }
                }
            }
        }
        cachedInputShape = recordsArgmax ? input.shape : nil
        return Tensor(shape: window.outputShape, scalars: scalars)
    }

    /// One plane, any window: the first maximum of each window's image elements.
    @inline(__always)
    private func poolGeneric(
        _ source: UnsafePointer<Float>, window: PoolingWindow,
        output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?
    ) {
        let width = window.width
        for outputRow in 0..<window.outputHeight {
            let rows = window.rows[outputRow]
            for outputColumn in 0..<window.outputWidth {
                let columns = window.columns[outputColumn]
                var bestOffset = rows.first * width + columns.first
                var best = source[bestOffset]
                for row in rows.first..<rows.end {
                    let rowStart = row * width
                    for column in columns.first..<columns.end where source[rowStart + column] > best {
                        best = source[rowStart + column]
                        bestOffset = rowStart + column
                    }
                }
                let outputIndex = outputRow * window.outputWidth + outputColumn
                output[outputIndex] = best
                indices?[outputIndex] = Int32(bestOffset)
            }
        }
    }

    /// One plane, 2×2 windows inside the image (LeNet's pooling), unrolled; same tie rule as
    /// `poolGeneric`.
    @inline(__always)
    private func pool2x2(
        _ source: UnsafePointer<Float>, strideHeight: Int, strideWidth: Int, window: PoolingWindow,
        output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?
    ) {
        let width = window.width
        for outputRow in 0..<window.outputHeight {
            let top = outputRow * strideHeight * width
            for outputColumn in 0..<window.outputWidth {
                let topLeft = top + outputColumn * strideWidth
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
        let window = poolingWindow(inputShape)
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
