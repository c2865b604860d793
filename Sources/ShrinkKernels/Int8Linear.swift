import CShrinkKernels

/// Whether dynamic activation quantization uses one scale/zero point per row or per tensor.
public enum ActivationQuantizationGranularity: Sendable {
    /// Each row (sample) gets its own scale and zero point.
    case perRow
    /// All rows share one scale and zero point.
    case perTensor
}

/// u8 activations with an affine scale / zero point per row: x ≈ scale · (code − zeroPoint).
public struct QuantizedActivations: Sendable, Equatable {
    /// Rows (samples) and columns (features).
    public let rows: Int, columns: Int
    /// The codes, row-major. // [rows, columns]
    public var codes: [UInt8]
    /// Scale of each row (equal for all rows when quantized per tensor). // [rows]
    public var scales: [Float]
    /// Zero point of each row, in 0...255. // [rows]
    public var zeroPoints: [Int32]

    /// Wraps existing codes and parameters.
    public init(rows: Int, columns: Int, codes: [UInt8], scales: [Float], zeroPoints: [Int32]) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("codes", codes, rows * columns)
        try RuntimeKernelError.check("scales", scales, rows)
        try RuntimeKernelError.check("zeroPoints", zeroPoints, rows)
        self.rows = rows
        self.columns = columns
        self.codes = codes
        self.scales = scales
        self.zeroPoints = zeroPoints
    }

    /// Quantizes fp32 `input` ([rows, columns], row-major) with the C kernel on the active path:
    /// range [min(0, min x), max(0, max x)] → 0...255 (see `shrink_quantize_activations`).
    public init(quantizing input: [Float], rows: Int, columns: Int,
                granularity: ActivationQuantizationGranularity) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("input", input, rows * columns)
        self.rows = rows
        self.columns = columns
        var codes = [UInt8](repeating: 0, count: rows * columns)
        var scales = [Float](repeating: 1, count: rows)
        var zeroPoints = [Int32](repeating: 0, count: rows)
        input.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { q in
                scales.withUnsafeMutableBufferPointer { s in
                    zeroPoints.withUnsafeMutableBufferPointer { z in
                        shrink_quantize_activations(rows, columns, x.baseAddress, max(columns, 1),
                                                    granularity == .perRow ? 1 : 0,
                                                    q.baseAddress, max(columns, 1), s.baseAddress, z.baseAddress)
                    }
                }
            }
        }
        self.codes = codes
        self.scales = scales
        self.zeroPoints = zeroPoints
    }
}

/// Int8 weights of a linear layer, pre-packed for the int8 kernels (VNNI / AVX2 / portable):
/// s8, symmetric per output channel (scale per channel, zero point 0), with the per-channel
/// weight sums that compensate the activations' zero point.
public struct Int8LinearWeights: @unchecked Sendable {
    /// Output channels (n) and input features (k).
    public let outputCount: Int, inputCount: Int
    /// Scale of each output channel. // [outputCount]
    public let scales: [Float]
    /// Bias of each output channel, if any. // [outputCount]
    public let bias: [Float]?
    /// Σ_p W[j][p] for each output channel. // [outputCount]
    public let rowSums: [Int32]
    let packed: PackedBuffer

    /// Packs `weights` ([outputCount, inputCount], row-major s8) with their per-channel scales.
    public init(weights: [Int8], scales: [Float], bias: [Float]? = nil,
                outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("weights", weights, outputCount * inputCount)
        try RuntimeKernelError.check("scales", scales, outputCount)
        if let bias { try RuntimeKernelError.check("bias", bias, outputCount) }
        self.outputCount = outputCount
        self.inputCount = inputCount
        self.scales = scales
        self.bias = bias
        let packed = PackedBuffer(byteCount: shrink_int8_packed_size(outputCount, inputCount))
        var rowSums = [Int32](repeating: 0, count: outputCount)
        if outputCount > 0, inputCount > 0 {
            weights.withUnsafeBufferPointer { w in
                rowSums.withUnsafeMutableBufferPointer { sums in
                    shrink_int8_pack_weights(outputCount, inputCount, w.baseAddress, inputCount,
                                             packed.base.assumingMemoryBound(to: Int8.self), sums.baseAddress)
                }
            }
        }
        self.rowSums = rowSums
        self.packed = packed
    }

    /// Quantizes fp32 `weights` ([outputCount, inputCount]) symmetrically per output channel
    /// (scale = max |w| / 127, codes = nearest integer of w / scale) and packs them.
    public init(quantizing weights: [Float], bias: [Float]? = nil,
                outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("weights", weights, outputCount * inputCount)
        let (codes, scales) = ReferenceKernels.quantizeWeightsSymmetric(weights, outputCount: outputCount, inputCount: inputCount)
        try self.init(weights: codes, scales: scales, bias: bias, outputCount: outputCount, inputCount: inputCount)
    }

    /// y = dequant(x · Wᵀ) + bias for already-quantized activations. // [rows, outputCount]
    public func apply(_ input: QuantizedActivations) throws(RuntimeKernelError) -> [Float] {
        guard input.columns == inputCount else {
            throw .countMismatch(name: "input columns", expected: inputCount, actual: input.columns)
        }
        var output = [Float](repeating: 0, count: input.rows * outputCount)
        output.withUnsafeMutableBufferPointer { y in
            apply(input, output: y.baseAddress!)
        }
        return output
    }

    /// y = dequant(x · Wᵀ) + bias into `output` ([input.rows, outputCount], row-major), on up to
    /// `threadCount` threads (each computes whole 64-channel panels; results do not depend on it).
    public func apply(_ input: QuantizedActivations, output: UnsafeMutablePointer<Float>, threadCount: Int = 1) {
        precondition(input.columns == inputCount, "input has \(input.columns) columns, expected \(inputCount)")
        guard input.rows > 0, outputCount > 0 else { return }
        // With no inputs there are no codes: the kernel reads none, but needs a valid pointer.
        let codes = input.codes.isEmpty ? [0] : input.codes
        codes.withUnsafeBufferPointer { x in
            input.scales.withUnsafeBufferPointer { sx in
                input.zeroPoints.withUnsafeBufferPointer { zx in
                    apply(codes: x.baseAddress!, rows: input.rows, rowStride: max(inputCount, 1), scales: sx.baseAddress!,
                          zeroPoints: zx.baseAddress!, output: output, threadCount: threadCount)
                }
            }
        }
    }

    /// y = dequant(x · Wᵀ) + bias into `output` ([rows, outputCount]) for u8 codes read in place:
    /// row i at `codes + i · rowStride` with scale `scales[i]` and zero point `zeroPoints[i]`. A
    /// `rowStride` of at least `inputCount` rounded up to a multiple of 4, with the bytes past
    /// `inputCount` of each row readable (their products are with zero weights), lets the kernel
    /// read whole 4-byte depth steps. On up to `threadCount` threads (whole 64-channel panels).
    public func apply(codes: UnsafePointer<UInt8>, rows: Int, rowStride: Int, scales rowScales: UnsafePointer<Float>,
                      zeroPoints: UnsafePointer<Int32>, output: UnsafeMutablePointer<Float>, threadCount: Int = 1) {
        precondition(rowStride >= inputCount, "row stride \(rowStride) is below the \(inputCount) inputs")
        guard rows > 0, outputCount > 0 else { return }
        let depthSteps = (inputCount + 3) / 4
        // Whole rounded-up rows run every depth step as a full 4-byte word.
        let depth = rowStride >= depthSteps * 4 ? depthSteps * 4 : inputCount
        withBiasPointer { biasPointer in
            rowSums.withUnsafeBufferPointer { sums in
                scales.withUnsafeBufferPointer { sw in
                    let weights = packed.base.assumingMemoryBound(to: Int8.self)
                    PanelSplit.forEachColumnRange(outputCount: outputCount, panelColumns: Int(SHRINK_INT8_PANEL_COLUMNS),
                                                 threadCount: threadCount) { columns in
                        let start = columns.lowerBound
                        shrink_int8_linear(rows, columns.count, depth, codes, rowStride, rowScales, zeroPoints,
                                           weights + start * depthSteps * 4, sums.baseAddress! + start,
                                           sw.baseAddress! + start, biasPointer.map { $0 + start }, output + start,
                                           outputCount)
                    }
                }
            }
        }
    }

    /// Dynamic quantization fused with the int8 product: fp32 `input` ([rows, inputCount]) →
    /// u8 (per row or per tensor) → y ([rows, outputCount]), on up to `threadCount` threads.
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
                      granularity: ActivationQuantizationGranularity = .perRow, threadCount: Int = 1) throws(RuntimeKernelError) {
        guard rows > 0, outputCount > 0 else { return }
        if threadCount > 1 {
            let quantized = try QuantizedActivations(quantizing: Array(UnsafeBufferPointer(start: input, count: rows * inputCount)),
                                                     rows: rows, columns: inputCount, granularity: granularity)
            apply(quantized, output: output, threadCount: threadCount)
            return
        }
        let status = withBiasPointer { biasPointer in
            rowSums.withUnsafeBufferPointer { sums in
                scales.withUnsafeBufferPointer { sw in
                    shrink_int8_linear_dynamic(rows, outputCount, inputCount, input, max(inputCount, 1),
                                               granularity == .perRow ? 1 : 0,
                                               packed.base.assumingMemoryBound(to: Int8.self), sums.baseAddress,
                                               sw.baseAddress, biasPointer, output, outputCount)
                }
            }
        }
        if status != 0 { throw .outOfMemory }
    }

    /// The exact int32 sums Σ_p codes[i][p] · W[j][p] (no zero-point or scale). // [rows, outputCount]
    public func accumulate(codes: [UInt8], rows: Int) throws(RuntimeKernelError) -> [Int32] {
        try RuntimeKernelError.check("codes", codes, rows * inputCount)
        var sums = [Int32](repeating: 0, count: rows * outputCount)
        guard rows > 0, outputCount > 0 else { return sums }
        codes.withUnsafeBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { c in
                shrink_int8_gemm_s32(rows, outputCount, inputCount, x.baseAddress, max(inputCount, 1),
                                     packed.base.assumingMemoryBound(to: Int8.self), c.baseAddress, outputCount)
            }
        }
        return sums
    }

    private func withBiasPointer<Result>(_ body: (UnsafePointer<Float>?) -> Result) -> Result {
        guard let bias else { return body(nil) }
        return bias.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
