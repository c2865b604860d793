import ShrinkKernels
import ShrinkTensor

/// Average pooling (PyTorch's `AvgPool2d`, ONNX `AveragePool`) over rectangular windows with a
/// stride per axis and asymmetric padding.
///
/// Input `[batch, channels, height, width]`, output `[batch, channels, outputHeight, outputWidth]`
/// with `outputHeight = (height + padTop + padBottom − kernelHeight) / strideHeight + 1`, rounded
/// up instead in ceil mode. Each output is the sum of its window's image elements divided by
/// their count, or, with `countIncludePad`, by the window's extent inside the padded input
/// (ONNX's `count_include_pad`; padding adds zeros).
public final class AveragePool2D: Layer {
    public let name: String
    /// Kernel extent, strides and pads (`[top, left, bottom, right]`, each smaller than the
    /// kernel along its axis); dilations must be 1.
    public let window: WindowGeometry
    /// Whether the output size rounds up (PyTorch's `ceil_mode`).
    public let ceilMode: Bool
    /// Whether padded positions count in the divisor.
    public let countIncludePad: Bool

    /// The window height (the kernel size of a square window, as chain architectures describe it).
    public var kernelSize: Int { window.kernel[0] }
    /// The vertical stride (the stride of a square window).
    public var stride: Int { window.strides[0] }


    private var cachedInputShape: [Int]?

    public init(name: String, window: WindowGeometry, ceilMode: Bool = false, countIncludePad: Bool = false) {
        precondition(window.kernel.allSatisfy { $0 > 0 } && window.strides.allSatisfy { $0 > 0 }
                     && window.pads.allSatisfy { $0 >= 0 } && window.dilations == [1, 1],
                     "AveragePool2D '\(name)' needs a positive window and strides, non-negative pads and no dilation")
        self.name = name
        self.window = window
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }

    /// A square window without padding.
    public convenience init(name: String, kernelSize: Int, stride: Int) {
        precondition(kernelSize > 0 && stride > 0, "AveragePool2D '\(name)' needs a positive kernel size and stride")
        self.init(name: name, window: WindowGeometry(square: kernelSize, stride: stride))
    }


    public var parameters: [Parameter] { [] }

    private func poolingWindow(_ shape: [Int]) -> PoolingWindow {
        PoolingWindow(layer: "AveragePool2D '\(name)'", inputShape: shape, window: window, ceilMode: ceilMode)
    }

    /// `1 / divisor` of every output position of a plane, row-major.
    private func reciprocalDivisors(_ window: PoolingWindow) -> [Float] {
        var result = [Float]()
        result.reserveCapacity(window.outputPlaneSize)
        for rows in window.rows {
            for columns in window.columns {
                let count = countIncludePad
                    ? rows.paddedCount * columns.paddedCount
                    : (rows.end - rows.first) * (columns.end - columns.first)
                result.append(1 / Float(count))
            }
        }
        return result
    }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        let window = poolingWindow(input.shape)
        let scales = reciprocalDivisors(window)
        let width = window.width, outputWidth = window.outputWidth
        let scalars = [Float].uninitialized(count: window.planes * window.outputPlaneSize) { output in
            input.withUnsafeBufferPointer { x in
                scales.withUnsafeBufferPointer { scale in
                    Parallelism.forEachChunk(count: window.planes, minimumChunk: window.planesPerChunk) { planes in
                        for plane in planes {
                            let source = x.baseAddress! + plane * window.inputPlaneSize
                            let target = output + plane * window.outputPlaneSize
                            for (outputRow, rows) in window.rows.enumerated() {
                                for (outputColumn, columns) in window.columns.enumerated() {
                                    var sum: Float = 0
                                    for row in rows.first..<rows.end {
                                        let rowStart = source + row * width
                                        for column in columns.first..<columns.end { sum += rowStart[column] }
                                    }
                                    let outputIndex = outputRow * outputWidth + outputColumn
                                    target[outputIndex] = sum * scale[outputIndex]
                                }
                            }
                        }
                    }
                }
            }
        }
        cachedInputShape = mode == .training ? input.shape : nil
        return Tensor(shape: window.outputShape, scalars: scalars)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let inputShape = cachedInputShape else {
            preconditionFailure("AveragePool2D '\(name)': backward without a training forward pass")
        }
        let window = poolingWindow(inputShape)
        precondition(outputGradient.shape == window.outputShape,
                     "AveragePool2D '\(name)': output gradient shape \(outputGradient.shape) does not match \(window.outputShape)")
        let scales = reciprocalDivisors(window)
        let width = window.width, outputWidth = window.outputWidth
        var inputGradient = Tensor(zeros: inputShape)
        inputGradient.withUnsafeMutableBufferPointer { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                scales.withUnsafeBufferPointer { scale in
                    Parallelism.forEachChunk(count: window.planes, minimumChunk: window.planesPerChunk) { planes in
                        for plane in planes {
                            let target = dx.baseAddress! + plane * window.inputPlaneSize
                            let source = dy.baseAddress! + plane * window.outputPlaneSize
                            for (outputRow, rows) in window.rows.enumerated() {
                                for (outputColumn, columns) in window.columns.enumerated() {
                                    let outputIndex = outputRow * outputWidth + outputColumn
                                    let share = source[outputIndex] * scale[outputIndex]
                                    for row in rows.first..<rows.end {
                                        let rowStart = target + row * width
                                        for column in columns.first..<columns.end { rowStart[column] += share }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}
