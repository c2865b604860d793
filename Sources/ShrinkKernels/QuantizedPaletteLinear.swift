import CShrinkKernels

/// A palettized linear layer (W[j][p] = centroids[index[j][p]], ≤ 16 centroids, 1–4-bit
/// indices) run on the int8 kernels: the centroids are quantized once to an s8 codebook with a
/// shared scale (symmetric, max |centroid| / 127), activations are quantized dynamically to u8,
/// and the kernel expands 4-bit indices to s8 in registers (vpshufb) for vpdpbusd. Reads half the
/// bytes of `Int8LinearWeights`; the weight error is that of 8-bit codes of the centroids.
public struct QuantizedPaletteLinearWeights: @unchecked Sendable {
    /// Output channels (n) and input features (k).
    public let outputCount: Int, inputCount: Int
    /// The s8 codebook (16 entries, zero past the centroids) and its scale: W ≈ scale · codebook[index].
    public let codebook: [Int8], codebookScale: Float
    /// Bias of each output channel, if any. // [outputCount]
    public let bias: [Float]?
    /// Σ_p codebook[index[j][p]] for each output channel. // [outputCount]
    public let rowSums: [Int32]
    let channelScales: [Float]
    let packed: PackedBuffer

    /// Quantizes `centroids` (1...16 values) to s8 and packs `indices` ([outputCount, inputCount]).
    public init(indices: [UInt8], centroids: [Float], bias: [Float]? = nil,
                outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("indices", indices, outputCount * inputCount)
        guard (1...16).contains(centroids.count) else {
            throw .invalidValue(name: "centroid count", value: centroids.count, allowed: "1...16")
        }
        if let bad = indices.first(where: { Int($0) >= centroids.count }) {
            throw .invalidValue(name: "index", value: Int(bad), allowed: "0..<\(centroids.count)")
        }
        if let bias { try RuntimeKernelError.check("bias", bias, outputCount) }
        let (codes, scales) = ReferenceKernels.quantizeWeightsSymmetric(centroids, outputCount: 1, inputCount: centroids.count)
        self.outputCount = outputCount
        self.inputCount = inputCount
        let codebook = codes + [Int8](repeating: 0, count: 16 - codes.count)
        self.codebook = codebook
        codebookScale = scales[0]
        channelScales = [Float](repeating: scales[0], count: outputCount)
        self.bias = bias
        let packed = PackedBuffer(byteCount: shrink_palette_int8_packed_size(outputCount, inputCount))
        var rowSums = [Int32](repeating: 0, count: outputCount)
        if outputCount > 0, inputCount > 0 {
            let status = indices.withUnsafeBufferPointer { i in
                codebook.withUnsafeBufferPointer { c in
                    rowSums.withUnsafeMutableBufferPointer { sums in
                        shrink_palette_int8_pack(outputCount, inputCount, i.baseAddress, inputCount, c.baseAddress,
                                                 packed.base.assumingMemoryBound(to: UInt8.self), sums.baseAddress)
                    }
                }
            }
            precondition(status == 0, "indices were validated before packing")
        }
        self.rowSums = rowSums
        self.packed = packed
    }

    /// Dynamic activation quantization + palettized int8 product: fp32 `input` ([rows, inputCount])
    /// → y ([rows, outputCount]), on up to `threadCount` threads (whole 64-channel panels each).
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
                      granularity: ActivationQuantizationGranularity = .perRow, threadCount: Int = 1) throws(RuntimeKernelError) {
        guard rows > 0, outputCount > 0 else { return }
        if threadCount > 1 {
            let quantized = try QuantizedActivations(quantizing: Array(UnsafeBufferPointer(start: input, count: rows * inputCount)),
                                                     rows: rows, columns: inputCount, granularity: granularity)
            apply(quantized, output: output, threadCount: threadCount)
            return
        }
        let status = withBias { biasPointer in
            codebook.withUnsafeBufferPointer { c in
                rowSums.withUnsafeBufferPointer { sums in
                    channelScales.withUnsafeBufferPointer { sw in
                        shrink_palette_int8_linear_dynamic(rows, outputCount, inputCount, input, max(inputCount, 1),
                                                           granularity == .perRow ? 1 : 0,
                                                           packed.base.assumingMemoryBound(to: UInt8.self), c.baseAddress,
                                                           sums.baseAddress, sw.baseAddress, biasPointer, output, outputCount)
                    }
                }
            }
        }
        if status != 0 { throw .outOfMemory }
    }

    /// y = dequant(x · Wᵀ) + bias for already-quantized activations into `output`
    /// ([input.rows, outputCount]), on up to `threadCount` threads (whole 64-channel panels each).
    public func apply(_ input: QuantizedActivations, output: UnsafeMutablePointer<Float>, threadCount: Int = 1) {
        precondition(input.columns == inputCount, "input has \(input.columns) columns, expected \(inputCount)")
        guard input.rows > 0, outputCount > 0 else { return }
        let pairs = ((inputCount + 3) / 4 + 1) / 2
        input.codes.withUnsafeBufferPointer { x in
            input.scales.withUnsafeBufferPointer { sx in
                input.zeroPoints.withUnsafeBufferPointer { zx in
                    withBias { biasPointer in
                        codebook.withUnsafeBufferPointer { c in
                            rowSums.withUnsafeBufferPointer { sums in
                                channelScales.withUnsafeBufferPointer { sw in
                                    let indices = packed.base.assumingMemoryBound(to: UInt8.self)
                                    PanelSplit.forEachColumnRange(outputCount: outputCount,
                                                                 panelColumns: Int(SHRINK_INT8_PANEL_COLUMNS),
                                                                 threadCount: threadCount) { columns in
                                        let start = columns.lowerBound
                                        shrink_palette_int8_linear(input.rows, columns.count, inputCount, x.baseAddress,
                                                                   max(inputCount, 1), sx.baseAddress, zx.baseAddress,
                                                                   indices + start * pairs * 4, c.baseAddress,
                                                                   sums.baseAddress! + start, sw.baseAddress! + start,
                                                                   biasPointer.map { $0 + start }, output + start, outputCount)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The exact int32 sums Σ_p codes[i][p] · codebook[index[j][p]]. // [rows, outputCount]
    public func accumulate(codes: [UInt8], rows: Int) throws(RuntimeKernelError) -> [Int32] {
        try RuntimeKernelError.check("codes", codes, rows * inputCount)
        var sums = [Int32](repeating: 0, count: rows * outputCount)
        guard rows > 0, outputCount > 0 else { return sums }
        codes.withUnsafeBufferPointer { x in
            codebook.withUnsafeBufferPointer { c in
                sums.withUnsafeMutableBufferPointer { out in
                    shrink_palette_int8_gemm_s32(rows, outputCount, inputCount, x.baseAddress, max(inputCount, 1),
                                                 packed.base.assumingMemoryBound(to: UInt8.self), c.baseAddress,
                                                 out.baseAddress, outputCount)
                }
            }
        }
        return sums
    }

    /// The s8 weights the kernel multiplies: codebook[index]. // [outputCount, inputCount]
    public static func expandedWeights(indices: [UInt8], codebook: [Int8]) -> [Int8] {
        indices.map { codebook[Int($0)] }
    }

    private func withBias<Result>(_ body: (UnsafePointer<Float>?) -> Result) -> Result {
        guard let bias else { return body(nil) }
        return bias.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
