import CShrinkKernels
import ShrinkNN

extension ExecutionPlan {
    /// Steps the runtime runs itself on the arena (no tensor copies, no allocation per run)
    /// instead of the op's own training kernel.
    enum NativeOperation {
        /// A depthwise Conv2D (groups = in = out channels, square kernel, one stride, symmetric
        /// pads, no dilation): fp32 weights [channels, k²] with any BatchNorm folded in, the same
        /// tap-major [k², channels] (for the kernel's channels-last path on small planes), and the
        /// output transform's clamp applied in the kernel.
        case depthwise(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int,
                       weights: [Float], tapWeights: [Float], bias: [Float]?)
        /// MaxPool2D over [channels, height, width] → [channels, outputHeight, outputWidth].
        case maxPool(channels: Int, height: Int, width: Int, window: WindowGeometry, outputHeight: Int, outputWidth: Int)
        /// Two same-shape inputs summed, `elements` floats per sample.
        case add(elements: Int)
        /// GlobalAveragePool: the mean of each of `planes` planes of `planeSize` floats per sample.
        case globalAverage(planes: Int, planeSize: Int)

        var weightByteCount: Int {
            // One of the two weight layouts is read per inference.
            if case let .depthwise(_, _, _, _, _, _, weights, _, bias) = self { return 4 * (weights.count + (bias?.count ?? 0)) }
            return 0
        }

        func run(input: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>,
                 batch: Int, transform: OutputTransform) {
            switch self {
            case let .depthwise(channels, height, width, kernel, stride, padding, weights, tapWeights, bias):
                // The affine is folded into the weights at compile time: only the clamp is left.
                let (lower, upper) = transform.bounds
                let outputPlane = ((height + 2 * padding - kernel) / stride + 1) * ((width + 2 * padding - kernel) / stride + 1)
                weights.withUnsafeBufferPointer { weights in
                    tapWeights.withUnsafeBufferPointer { tapWeights in
                        func run(_ bias: UnsafePointer<Float>?) {
                            for sample in 0..<batch {
                                shrink_depthwise_conv(channels, height, width, kernel, stride, padding,
                                                      input + sample * channels * height * width, weights.baseAddress!,
                                                      tapWeights.baseAddress!, bias, lower, upper,
                                                      output + sample * channels * outputPlane)
                            }
                        }
                        if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
                    }
                }
            case let .maxPool(channels, height, width, window, outputHeight, outputWidth):
                shrink_max_pool(batch * channels, height, width, window.kernel[0], window.kernel[1], window.strides[0],
                                window.strides[1], window.pads[0], window.pads[1], outputHeight, outputWidth, input, output)
                transform.apply(output, batch: batch, pixels: outputHeight * outputWidth)
            case let .globalAverage(planes, planeSize):
                let scale = 1 / Float(planeSize)
                for plane in 0..<(batch * planes) {
                    let source = input + plane * planeSize
                    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                    var index = 0
                    while index + 4 <= planeSize {
                        s0 += source[index]; s1 += source[index + 1]; s2 += source[index + 2]; s3 += source[index + 3]
                        index += 4
                    }
                    while index < planeSize { s0 += source[index]; index += 1 }
                    output[plane] = ((s0 + s1) + (s2 + s3)) * scale
                }
                transform.apply(output, batch: batch, pixels: 1)
            case let .add(elements):
                let second = second!
                for index in 0..<(batch * elements) { output[index] = input[index] + second[index] }
                transform.apply(output, batch: batch, pixels: elements / max(1, transform.channels))
            }
        }
    }
}

extension ExecutionPlan.Compiler {
    /// The native step for node `index` when it has one: a depthwise Conv2D (its BatchNorm
    /// `affine` folded into the weights), a MaxPool2D, a GlobalAveragePool, or a two-input Add of
    /// same-shape values.
    func nativeOperation(_ index: Int, op: any Operator, affine: ExecutionPlan.ChannelAffine?) -> ExecutionPlan.NativeOperation? {
        let node = graph.nodes[index]
        func shape(_ name: String) -> [Int]? {
            guard let sample = resolved.shapes[name]?.sampleShape else { return nil }
            return sample
        }
        guard node.outputs.count == 1, let outputShape = shape(node.outputs[0]) else { return nil }
        switch op {
        case let convolution as Convolution2DOperator:
            let window = convolution.window
            guard let input = shape(node.inputs[0]), input.count == 3, convolution.groups == input[0],
                  convolution.inputChannels == input[0], convolution.outputChannels == input[0],
                  window.kernel.count == 2, window.kernel[0] == window.kernel[1],
                  window.strides.count == 2, window.strides[0] == window.strides[1],
                  window.dilations == [1, 1], window.pads.count == 4, Set(window.pads).count == 1,
                  let weight = try? tensor(node, op.weights[0]) else { return nil }
            let channels = input[0], k = window.kernel[0]
            var weights = weight.value.scalars
            guard weights.count == channels * k * k else { return nil }
            var bias: [Float]? = nil
            if convolution.hasBias {
                guard let stored = try? tensor(node, op.weights[1]) else { return nil }
                bias = stored.value.scalars
            }
            if let affine {
                // W'[c] = scale[c] · W[c], b'[c] = scale[c] · b[c] + shift[c] (as the reference step folds).
                for channel in 0..<channels {
                    for position in 0..<(k * k) { weights[channel * k * k + position] *= affine.scale[channel] }
                }
                bias = (0..<channels).map { affine.scale[$0] * (bias?[$0] ?? 0) + affine.shift[$0] }
            }
            var tapWeights = [Float](repeating: 0, count: weights.count)
            for channel in 0..<channels {
                for tap in 0..<(k * k) { tapWeights[tap * channels + channel] = weights[channel * k * k + tap] }
            }
            return .depthwise(channels: channels, height: input[1], width: input[2], kernel: k, stride: window.strides[0],
                              padding: window.pads[0], weights: weights, tapWeights: tapWeights, bias: bias)
        case let pool as MaxPool2DOperator:
            guard affine == nil, let input = shape(node.inputs[0]), input.count == 3, outputShape.count == 3,
                  pool.window.dilations == [1, 1], pool.window.kernel.count == 2, pool.window.strides.count == 2,
                  pool.window.pads.count == 4 else { return nil }
            return .maxPool(channels: input[0], height: input[1], width: input[2], window: pool.window,
                            outputHeight: outputShape[1], outputWidth: outputShape[2])
        case is GlobalAveragePoolOperator:
            guard affine == nil, let input = shape(node.inputs[0]), input.count == 3 else { return nil }
            return .globalAverage(planes: input[0], planeSize: input[1] * input[2])
        case let add as AdditionOperator:
            guard affine == nil, add.constant == nil, node.inputs.count == 2,
                  shape(node.inputs[0]) == outputShape, shape(node.inputs[1]) == outputShape else { return nil }
            return .add(elements: outputShape.reduce(1, *))
        default:
            return nil
        }
    }
}
