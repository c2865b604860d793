import CShrinkKernels

/// Wall-clock seconds of the three stages of one dynamic int8 linear call.
public struct Int8StageSeconds: Equatable, Sendable {
    /// fp32 activations to u8 codes with scale and zero point (`shrink_quantize_activations`).
    public var quantize: Double
    /// The exact int32 products of codes and weights (`shrink_int8_gemm_s32`).
    public var multiply: Double
    /// int32 sums back to fp32 with zero-point compensation, scales and bias (`shrink_int8_dequantize`).
    public var dequantize: Double
}

extension Int8LinearWeights {
    /// The same result as `apply(input:rows:output:granularity:threadCount:)` (or, with static
    /// `parameters`, `apply(input:rows:output:parameters:threadCount:)`), computed in three
    /// separately timed stages (quantize, multiply, dequantize) for per-operator profiles. Slower
    /// than the fused call (the int32 sums make a round trip through memory, and the temporary
    /// buffers are allocated per call, outside the timed stages): use it for profiling only.
    public func applyTimingStages(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
                                  granularity: ActivationQuantizationGranularity = .perRow,
                                  parameters: StaticActivationQuantization? = nil,
                                  threadCount: Int = 1) -> Int8StageSeconds {
        var seconds = Int8StageSeconds(quantize: 0, multiply: 0, dequantize: 0)
        guard rows > 0, outputCount > 0 else { return seconds }
        let inputCount = self.inputCount, outputCount = self.outputCount, depth = max(inputCount, 1)
        var codes = [UInt8](repeating: 0, count: rows * depth)
        var inputScales = [Float](repeating: 1, count: rows), zeroPoints = [Int32](repeating: 0, count: rows)
        var sums = [Int32](repeating: 0, count: rows * outputCount)
        let clock = ContinuousClock()
        func elapsed(_ start: ContinuousClock.Instant) -> Double {
            let (whole, fraction) = (clock.now - start).components
            return Double(whole) + Double(fraction) * 1e-18
        }
        codes.withUnsafeMutableBufferPointer { q in
            inputScales.withUnsafeMutableBufferPointer { sx in
                zeroPoints.withUnsafeMutableBufferPointer { zx in
                    sums.withUnsafeMutableBufferPointer { c in
                        var start = clock.now
                        if inputCount > 0, let parameters {
                            for row in 0..<rows {
                                sx[row] = parameters.scale
                                zx[row] = parameters.zeroPoint
                            }
                            shrink_quantize_activations_static(rows, inputCount, input, depth, parameters.scale,
                                                               parameters.zeroPoint, q.baseAddress, depth)
                        } else if inputCount > 0 {
                            shrink_quantize_activations(rows, inputCount, input, depth, granularity == .perRow ? 1 : 0,
                                                        q.baseAddress, depth, sx.baseAddress, zx.baseAddress)
                        }
                        seconds.quantize = elapsed(start)
                        start = clock.now
                        let weights = packed.base.assumingMemoryBound(to: Int8.self)
                        let depthSteps = (inputCount + 3) / 4
                        PanelSplit.forEachColumnRange(outputCount: outputCount, panelColumns: Int(SHRINK_INT8_PANEL_COLUMNS),
                                                     threadCount: threadCount) { columns in
                            let first = columns.lowerBound
                            shrink_int8_gemm_s32(rows, columns.count, inputCount, q.baseAddress, depth,
                                                 weights + first * depthSteps * 4, c.baseAddress! + first, outputCount)
                        }
                        seconds.multiply = elapsed(start)
                        start = clock.now
                        let sums = c.baseAddress, inputScales = sx.baseAddress, zeroPoints = zx.baseAddress
                        rowSums.withUnsafeBufferPointer { rowSums in
                            scales.withUnsafeBufferPointer { sw in
                                let dequantize = { (biasPointer: UnsafePointer<Float>?) in
                                    shrink_int8_dequantize(rows, outputCount, sums, outputCount, inputScales,
                                                           zeroPoints, rowSums.baseAddress, sw.baseAddress, biasPointer,
                                                           output, outputCount)
                                }
                                if let bias { bias.withUnsafeBufferPointer { dequantize($0.baseAddress) } } else { dequantize(nil) }
                            }
                        }
                        seconds.dequantize = elapsed(start)
                    }
                }
            }
        }
        return seconds
    }
}
