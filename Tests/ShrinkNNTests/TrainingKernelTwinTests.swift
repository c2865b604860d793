import ShrinkGraph
import ShrinkTensor
import Testing
@testable import ShrinkNN

/// The C kernels training runs (im2col / col2im over a batch, batch-normalization statistics
/// and backward) against their plain Swift twins (on this CPU, the clone its loader picked).
@Suite struct TrainingKernelTwinTests {
    static let windows: [(channels: Int, height: Int, width: Int, window: WindowGeometry)] = [
        (3, 7, 9, WindowGeometry(square: 3, stride: 1, padding: 1)),
        (2, 8, 8, WindowGeometry(square: 3, stride: 2, padding: 1)),
        (4, 6, 5, WindowGeometry(square: 1, stride: 1, padding: 0)),
        (2, 9, 7, WindowGeometry(kernel: [3, 2], strides: [2, 1], dilations: [2, 1], pads: [2, 0, 1, 3])),
        (1, 4, 4, WindowGeometry(square: 5, stride: 1, padding: 2)),
        (16, 32, 32, WindowGeometry(square: 3, stride: 1, padding: 1)),
    ]

    @Test(arguments: windows.indices)
    func loweringMatchesReference(index: Int) {
        let (channels, height, width, window) = Self.windows[index]
        let geometry = ConvolutionGeometry(channels: channels, height: height, width: width, window: window)
        let samples = 3
        var generator = SeededRandomNumberGenerator(seed: UInt64(index + 1))
        let input = (0..<(samples * geometry.inputSampleSize)).map { _ in Float.random(in: -1...1, using: &generator) }
        let count = geometry.columnRows * samples * geometry.outputPixels
        var fast = [Float](repeating: .nan, count: count), reference = [Float](repeating: .nan, count: count)
        input.withUnsafeBufferPointer { x in
            fast.withUnsafeMutableBufferPointer { geometry.lower(x.baseAddress!, samples: samples, into: $0.baseAddress!) }
            reference.withUnsafeMutableBufferPointer {
                geometry.lowerReference(x.baseAddress!, samples: samples, into: $0.baseAddress!)
            }
        }
        #expect(fast == reference)

        // col2im of the same lowered values: sums may differ only by order, and here each input
        // receives its taps in the same order on both sides.
        var fastGradient = [Float](repeating: 0.5, count: input.count), referenceGradient = fastGradient
        reference.withUnsafeBufferPointer { columns in
            fastGradient.withUnsafeMutableBufferPointer {
                geometry.accumulateLowered(columns.baseAddress!, samples: samples, into: $0.baseAddress!)
            }
            referenceGradient.withUnsafeMutableBufferPointer {
                geometry.accumulateLoweredReference(columns.baseAddress!, samples: samples, into: $0.baseAddress!)
            }
        }
        #expect(fastGradient == referenceGradient)
    }

    @Test(arguments: [(batch: 4, channels: 3, plane: 37, rectifies: false), (batch: 2, channels: 5, plane: 1, rectifies: true),
                      (batch: 8, channels: 2, plane: 64, rectifies: false), (batch: 3, channels: 4, plane: 50, rectifies: true)])
    func batchNormalizationMatchesReference(batch: Int, channels: Int, plane: Int, rectifies: Bool) {
        var generator = SeededRandomNumberGenerator(seed: 7)
        let count = batch * channels * plane
        let input = (0..<count).map { _ in Float.random(in: -2...3, using: &generator) }
        let layer = BatchNormalization2D(name: "bn", channels: channels)
        layer.rectifiesOutput = rectifies
        for channel in 0..<channels {
            layer.weight.value.scalars[channel] = Float.random(in: 0.5...1.5, using: &generator)
            layer.bias.value.scalars[channel] = Float.random(in: -0.5...0.5, using: &generator)
        }
        let shape = plane == 1 ? [batch, channels] : [batch, channels, plane]
        let output = layer.forward(Tensor(shape: shape, scalars: input), mode: .training)

        let (means, squares) = BatchNormalization2D.referenceStatistics(input, batch: batch, channels: channels, plane: plane)
        let reduced = Double(batch * plane)
        var normalized = [Float](repeating: 0, count: count)
        for sample in 0..<batch {
            for channel in 0..<channels {
                let inverse = 1 / (squares[channel] / reduced + 1e-5).squareRoot()
                for index in 0..<plane {
                    let position = (sample * channels + channel) * plane + index
                    normalized[position] = Float((Double(input[position]) - means[channel]) * inverse)
                    let affine = layer.weight.value.scalars[channel] * normalized[position] + layer.bias.value.scalars[channel]
                    let expected = rectifies ? max(0, affine) : affine
                    #expect(abs(output.scalars[position] - expected) <= 1e-4)
                }
            }
        }
        for channel in 0..<channels {
            let unbiased = squares[channel] / (reduced - 1)
            #expect(abs(Double(layer.runningVariance.value.scalars[channel]) - (0.9 + 0.1 * unbiased)) <= 1e-5)
            #expect(abs(Double(layer.runningMean.value.scalars[channel]) - 0.1 * means[channel]) <= 1e-6)
        }

        let outputGradient = (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
        let inputGradient = layer.backward(Tensor(shape: shape, scalars: outputGradient))
        let factors = (0..<channels).map { channel in
            layer.weight.value.scalars[channel] * Float(1 / (squares[channel] / reduced + 1e-5).squareRoot()) / Float(reduced)
        }
        let expected = BatchNormalization2D.referenceBackward(
            normalized: normalized, outputGradient: outputGradient, mask: rectifies ? output.scalars : nil, factors: factors,
            batch: batch, channels: channels, plane: plane)
        for (got, want) in zip(inputGradient.scalars, expected.inputGradient) { #expect(abs(got - want) <= 1e-4) }
        if rectifies { #expect(output.scalars.contains(0) && output.scalars.allSatisfy { $0 >= 0 }) }
        for channel in 0..<channels {
            #expect(abs(layer.bias.gradient.scalars[channel] - expected.shiftGradients[channel]) <= 1e-4)
            #expect(abs(layer.weight.gradient.scalars[channel] - expected.scaleGradients[channel]) <= 1e-4)
        }
    }
}
