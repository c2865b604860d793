import ShrinkKernels

/// The `ShiftedConvolution` paths of `Convolution2D`: batch chunks in parallel (the same fixed
/// chunks as im2col), a few samples padded together per GEMM, weight gradients per chunk summed
/// in chunk order.
extension Convolution2D {
    /// Samples padded together: the padded input within the lowered-matrix budget.
    private func shiftedGroupSize(_ shifted: ShiftedConvolution) -> Int {
        max(1, columnBudget / max(1, inputChannels * shifted.samplePlane))
    }

    func forwardShifted(
        _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>?, batch: Int,
        geometry: ConvolutionGeometry, output: UnsafeMutablePointer<Float>
    ) {
        let shifted = ShiftedConvolution(geometry)
        let outputs = outputChannels, inputSampleSize = geometry.inputSampleSize
        let outputSampleSize = outputs * geometry.outputPixels
        let groupSize = shiftedGroupSize(shifted), (minimumChunk, _) = partition(geometry)
        let taps = shifted.tapMajor(w, outputs: outputs)
        taps.withUnsafeBufferPointer { taps in
            let taps = taps.baseAddress!
            Parallelism.forEachFixedChunk(count: batch, chunkCount: Self.batchChunks(batch: batch, minimumChunk: minimumChunk)) { samples in
                scratchPool.withGroup { scratch in
                    for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: groupSize) {
                        let count = min(groupSize, samples.upperBound - first)
                        let padded = scratch.columns.reserve(inputChannels * shifted.channelStride(samples: count))
                        let wide = scratch.product.reserve(outputs * count * shifted.samplePlane)
                        shifted.forward(x + first * inputSampleSize, samples: count, tapWeights: taps, outputs: outputs,
                                        bias: b, padded: padded, wide: wide, output: output + first * outputSampleSize)
                    }
                }
            }
        }
    }

    func backwardShifted(
        _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        inputGradient dx: UnsafeMutablePointer<Float>?, batch: Int, geometry: ConvolutionGeometry
    ) {
        let shifted = ShiftedConvolution(geometry)
        let outputs = outputChannels, channels = inputChannels, area = geometry.kernelArea
        let weightCount = outputs * channels * area
        let inputSampleSize = geometry.inputSampleSize, outputSampleSize = outputs * geometry.outputPixels
        let groupSize = shiftedGroupSize(shifted), (minimumChunk, _) = partition(geometry)
        let hasBias = bias != nil
        let taps = shifted.tapMajor(w, outputs: outputs, transposed: true)
        let chunkResults = ChunkResults<ConvolutionScratch>()
        taps.withUnsafeBufferPointer { taps in
            let taps = taps.baseAddress!
            Parallelism.forEachFixedChunk(count: batch, chunkCount: Self.batchChunks(batch: batch, minimumChunk: minimumChunk)) { samples in
                let scratch = scratchPool.acquire()
                let tapGradient = scratch.weightGradient.reserve(weightCount)
                let biasGradient = scratch.biasGradient.reserve(outputs)
                tapGradient.update(repeating: 0, count: weightCount)
                biasGradient.update(repeating: 0, count: outputs)
                for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: groupSize) {
                    let count = min(groupSize, samples.upperBound - first)
                    let padded = scratch.columns.reserve(channels * shifted.channelStride(samples: count))
                    let wide = scratch.product.reserve(outputs * shifted.gradientStride(samples: count))
                    shifted.backward(
                        x + first * inputSampleSize, outputGradient: dy + first * outputSampleSize, samples: count,
                        transposedTapWeights: taps, outputs: outputs, padded: padded, wide: wide, tapGradient: tapGradient,
                        biasGradient: hasBias ? biasGradient : nil, inputGradient: dx.map { $0 + first * inputSampleSize })
                }
                chunkResults.record(start: samples.lowerBound, scratch)
            }
        }
        // Reduce the chunks' tap-major gradients in chunk order into [outputs, channels, kh, kw].
        for scratch in chunkResults.ordered {
            weight.gradient.withUnsafeMutableBufferPointer { dw in
                let partial = scratch.weightGradient.pointer
                for output in 0..<outputs {
                    for channel in 0..<channels {
                        for tap in 0..<area {
                            dw[(output * channels + channel) * area + tap] += partial[(tap * outputs + output) * channels + channel]
                        }
                    }
                }
            }
            bias?.gradient.withUnsafeMutableBufferPointer { db in
                let partial = scratch.biasGradient.pointer
                for index in 0..<outputs { db[index] += partial[index] }
            }
            scratchPool.release(scratch)
        }
    }
}
