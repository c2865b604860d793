import ShrinkTensor
@testable import ShrinkNN

/// Direct convolution in Double, forward and backward, by the definition: output
/// `(n, o, oh, ow)` sums `x(n, g·cpg + c, oh·sh − padTop + kr·dh, ow·sw − padLeft + kc·dw) ·
/// w(o, c, kr, kc)` over the group `g = o / (outputChannels / groups)` and the kernel, skipping
/// positions outside the image. The reference the fast paths are tested against.
struct NaiveConvolution {
    let window: WindowGeometry
    let groups: Int
    /// `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]`.
    let weight: Tensor
    let bias: Tensor?

    /// The gradients of one backward pass.
    struct Gradients {
        var input: [Double]
        var weight: [Double]
        var bias: [Double]
    }

    func outputShape(for inputShape: [Int]) -> [Int] {
        let size = window.outputSize(height: inputShape[2], width: inputShape[3])!
        return [inputShape[0], weight.shape[0], size.height, size.width]
    }

    /// Calls `body(n, o, oh, ow, inputIndex, weightIndex)` for every product term of the
    /// convolution (flat indices into the input and the weight).
    private func forEachTerm(inputShape: [Int], _ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        let output = outputShape(for: inputShape)
        let (channels, height, width) = (inputShape[1], inputShape[2], inputShape[3])
        let outputChannels = weight.shape[0], groupChannels = weight.shape[1]
        let (kernelHeight, kernelWidth) = (weight.shape[2], weight.shape[3])
        let groupOutputs = outputChannels / groups
        for sample in 0..<inputShape[0] {
            for outputChannel in 0..<outputChannels {
                let group = outputChannel / groupOutputs
                for outputRow in 0..<output[2] {
                    for outputColumn in 0..<output[3] {
                        for channel in 0..<groupChannels {
                            for kernelRow in 0..<kernelHeight {
                                for kernelColumn in 0..<kernelWidth {
                                    let row = outputRow * window.strides[0] - window.pads[0] + kernelRow * window.dilations[0]
                                    let column = outputColumn * window.strides[1] - window.pads[1] + kernelColumn * window.dilations[1]
                                    guard row >= 0, row < height, column >= 0, column < width else { continue }
                                    let inputChannel = group * groupChannels + channel
                                    let inputIndex = ((sample * channels + inputChannel) * height + row) * width + column
                                    let weightIndex = ((outputChannel * groupChannels + channel) * kernelHeight + kernelRow)
                                        * kernelWidth + kernelColumn
                                    body(sample, outputChannel, outputRow, outputColumn, inputIndex, weightIndex)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func outputIndex(_ shape: [Int], _ sample: Int, _ channel: Int, _ row: Int, _ column: Int) -> Int {
        ((sample * shape[1] + channel) * shape[2] + row) * shape[3] + column
    }

    func forward(_ input: Tensor) -> [Double] {
        let shape = outputShape(for: input.shape)
        var output = [Double](repeating: 0, count: shape.reduce(1, *))
        if let bias {
            for index in output.indices { output[index] = Double(bias.scalars[(index / (shape[2] * shape[3])) % shape[1]]) }
        }
        let x = input.scalars, w = weight.scalars
        forEachTerm(inputShape: input.shape) { sample, channel, row, column, inputIndex, weightIndex in
            output[outputIndex(shape, sample, channel, row, column)] += Double(x[inputIndex]) * Double(w[weightIndex])
        }
        return output
    }

    func backward(_ input: Tensor, outputGradient: Tensor) -> Gradients {
        let shape = outputShape(for: input.shape)
        var gradients = Gradients(input: [Double](repeating: 0, count: input.count),
                                  weight: [Double](repeating: 0, count: weight.count),
                                  bias: [Double](repeating: 0, count: shape[1]))
        let x = input.scalars, w = weight.scalars, dy = outputGradient.scalars
        for (index, value) in dy.enumerated() { gradients.bias[(index / (shape[2] * shape[3])) % shape[1]] += Double(value) }
        forEachTerm(inputShape: input.shape) { sample, channel, row, column, inputIndex, weightIndex in
            let upstream = Double(dy[outputIndex(shape, sample, channel, row, column)])
            gradients.input[inputIndex] += upstream * Double(w[weightIndex])
            gradients.weight[weightIndex] += upstream * Double(x[inputIndex])
        }
        return gradients
    }

    /// The largest `|actual − expected|` relative to `max(1, |expected|)`.
    static func worstError(_ actual: [Float], _ expected: [Double]) -> Double {
        guard actual.count == expected.count else { return .infinity }
        return zip(actual, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
    }
}
