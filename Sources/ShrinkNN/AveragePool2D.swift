import ShrinkTensor

/// Average pooling over square windows without padding (floor mode, like PyTorch's default).
///
/// Input `[batch, channels, height, width]`, output `[batch, channels, outputHeight, outputWidth]`
/// with `outputHeight = (height − kernelSize) / stride + 1`; every window holds `kernelSize²` inputs.
public final class AveragePool2D: Layer {
    public let name: String
    public let kernelSize: Int
    public let stride: Int

    private var cachedInputShape: [Int]?

    public init(name: String, kernelSize: Int, stride: Int) {
        precondition(kernelSize > 0 && stride > 0, "AveragePool2D '\(name)' needs a positive kernel size and stride")
        self.name = name
        self.kernelSize = kernelSize
        self.stride = stride
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        let window = PoolingWindow(layer: "AveragePool2D '\(name)'", inputShape: input.shape, kernelSize: kernelSize, stride: stride)
        let kernel = kernelSize, stride = stride
        let scale = 1 / Float(kernel * kernel)
        let scalars = [Float].uninitialized(count: window.planes * window.outputPlaneSize) { output in
            input.withUnsafeBufferPointer { x in
                for plane in 0..<window.planes {
                    let source = x.baseAddress! + plane * window.inputPlaneSize
                    let target = output + plane * window.outputPlaneSize
                    for outputRow in 0..<window.outputHeight {
                        for outputColumn in 0..<window.outputWidth {
                            let corner = source + outputRow * stride * window.width + outputColumn * stride
                            var sum: Float = 0
                            for kernelRow in 0..<kernel {
                                for kernelColumn in 0..<kernel { sum += corner[kernelRow * window.width + kernelColumn] }
                            }
                            target[outputRow * window.outputWidth + outputColumn] = sum * scale
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
        let window = PoolingWindow(layer: "AveragePool2D '\(name)'", inputShape: inputShape, kernelSize: kernelSize, stride: stride)
        precondition(outputGradient.shape == window.outputShape,
                     "AveragePool2D '\(name)': output gradient shape \(outputGradient.shape) does not match \(window.outputShape)")
        let kernel = kernelSize, stride = stride
        let scale = 1 / Float(kernel * kernel)
        var inputGradient = Tensor(zeros: inputShape)
        inputGradient.withUnsafeMutableBufferPointer { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                for plane in 0..<window.planes {
                    let target = dx.baseAddress! + plane * window.inputPlaneSize
                    let source = dy.baseAddress! + plane * window.outputPlaneSize
                    for outputRow in 0..<window.outputHeight {
                        for outputColumn in 0..<window.outputWidth {
                            let share = source[outputRow * window.outputWidth + outputColumn] * scale
                            let corner = target + outputRow * stride * window.width + outputColumn * stride
                            for kernelRow in 0..<kernel {
                                for kernelColumn in 0..<kernel { corner[kernelRow * window.width + kernelColumn] += share }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}
