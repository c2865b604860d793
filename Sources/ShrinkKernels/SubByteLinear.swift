import CShrinkKernels

/// Weights of a linear layer stored as affine integer codes of 1...4 bits, pre-packed for the
/// sub-byte kernels (`int4_linear.c`: AVX-512 VNNI / AVX2 / portable), which multiply them with
/// u8 activations quantized per row at run time (as `Int8LinearWeights`) and never decode them.
///
/// Output channel j's codes q have scale s[j] and zero point z[j] (W = s · (q − z)). They are
/// stored as unsigned codes u = q − lo (lo = −2^(bits−1) for signed codes, else 0) in a 4-bit
/// container (3- and 4-bit codes: u in 0...15, two per byte) or a 2-bit one (1- and 2-bit codes:
/// u in 0...3, four per byte), and q − z = u − offset[j] with offset[j] = z[j] − lo. The kernel
/// sums a · u exactly in int32 and subtracts offset[j] · Σa and zx · Σ(u − offset) in its epilogue.
public struct SubByteLinearWeights: @unchecked Sendable {
    /// Output channels (n) and input features (k).
    public let outputCount: Int, inputCount: Int
    /// Bits of the packed container: 4 (codes 0...15) or 2 (codes 0...3).
    public let containerBits: Int
    /// Scale of each output channel (a per-tensor scale repeated). // [outputCount]
    public let scales: [Float]
    /// offset[j] with W[j][p] = scales[j] · (u[j][p] − offset[j]) for the stored unsigned codes u. // [outputCount]
    public let offsets: [Int32]
    /// Σ_p (u[j][p] − offset[j]) for each output channel: the activations' zero-point term. // [outputCount]
    public let compensation: [Int32]
    /// Bias of each output channel, if any. // [outputCount]
    public let bias: [Float]?
    let packed: PackedBuffer

    /// The container width for codes of `bits` bits: 2 for 1...2, 4 for 3...4, nil otherwise.
    public static func containerBits(forCodeBits bits: Int) -> Int? {
        switch bits {
        case 1...2: 2
        case 3...4: 4
        default: nil
        }
    }

    /// Packs unsigned codes `codes` ([outputCount, inputCount], row-major, each below
    /// 2^`containerBits`) with W[j][p] = scales[j] · (codes[j][p] − offsets[j]).
    public init(codes: [UInt8], containerBits: Int, offsets: [Int32], scales: [Float], bias: [Float]? = nil,
                outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        guard containerBits == 2 || containerBits == 4 else {
            throw .invalidValue(name: "container bits", value: containerBits, allowed: "2 or 4")
        }
        try RuntimeKernelError.check("codes", codes, outputCount * inputCount)
        try RuntimeKernelError.check("offsets", offsets, outputCount)
        try RuntimeKernelError.check("scales", scales, outputCount)
        if let bias { try RuntimeKernelError.check("bias", bias, outputCount) }
        if let bad = codes.first(where: { Int($0) >= 1 << containerBits }) {
            throw .invalidValue(name: "code", value: Int(bad), allowed: "0..<\(1 << containerBits)")
        }
        self.outputCount = outputCount
        self.inputCount = inputCount
        self.containerBits = containerBits
        self.scales = scales
        self.offsets = offsets
        self.bias = bias
        let packed = PackedBuffer(byteCount: shrink_subbyte_packed_size(Int32(containerBits), outputCount, inputCount))
        var compensation = [Int32](repeating: 0, count: outputCount)
        if outputCount > 0, inputCount > 0 {
            let status = codes.withUnsafeBufferPointer { u in
                offsets.withUnsafeBufferPointer { c in
                    compensation.withUnsafeMutableBufferPointer { sums in
                        shrink_subbyte_pack_weights(Int32(containerBits), outputCount, inputCount, u.baseAddress, inputCount,
                                                    c.baseAddress, packed.base.assumingMemoryBound(to: UInt8.self),
                                                    sums.baseAddress)
                    }
                }
            }
            precondition(status == 0, "codes were validated before packing")
        } else {
            compensation = offsets.map { _ in 0 }
        }
        self.compensation = compensation
        self.packed = packed
    }

    /// Packs affine codes `codes` ([outputCount, inputCount], the integer codes q of `bits` bits,
    /// 1...4, in the range of `isSigned`) with one scale and zero point per output channel, or one
    /// for the whole tensor (`scales` and `zeroPoints` of one element): W = scale · (q − zeroPoint).
    public init(affineCodes codes: [Int32], bits: Int, isSigned: Bool, scales: [Float], zeroPoints: [Int32],
                bias: [Float]? = nil, outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        guard let container = Self.containerBits(forCodeBits: bits) else {
            throw .invalidValue(name: "affine code bits", value: bits, allowed: "1...4")
        }
        try RuntimeKernelError.check("codes", codes, outputCount * inputCount)
        let channels = scales.count == 1 && outputCount != 1 ? 1 : outputCount
        try RuntimeKernelError.check("scales", scales, channels)
        try RuntimeKernelError.check("zeroPoints", zeroPoints, channels)
        let lowest = isSigned ? -(Int32(1) << (bits - 1)) : 0, count = Int32(1) << bits
        let range = lowest...(lowest + count - 1)
        if let bad = codes.first(where: { !range.contains($0) }) ?? zeroPoints.first(where: { !range.contains($0) }) {
            throw .invalidValue(name: "affine code", value: Int(bad), allowed: "\(range)")
        }
        let unsigned = codes.map { UInt8($0 - lowest) }
        let offsets = (0..<outputCount).map { zeroPoints[channels == 1 ? 0 : $0] - lowest }
        let channelScales = (0..<outputCount).map { scales[channels == 1 ? 0 : $0] }
        try self.init(codes: unsigned, containerBits: container, offsets: offsets, scales: channelScales, bias: bias,
                      outputCount: outputCount, inputCount: inputCount)
    }

    /// Dynamic quantization fused with the sub-byte product: fp32 `input` ([rows, inputCount]) →
    /// u8 (per row or per tensor) → y ([rows, outputCount]), with `relu` max(0, y) applied in the
    /// epilogue (`y >= 0 ? y : 0`, NaN to 0), on up to `threadCount` threads (whole 64-channel
    /// panels each; the results do not depend on it).
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
                      granularity: ActivationQuantizationGranularity = .perRow, relu: Bool = false,
                      threadCount: Int = 1) throws(RuntimeKernelError) {
        guard rows > 0, outputCount > 0 else { return }
        if threadCount > 1 {
            let quantized = try QuantizedActivations(quantizing: Array(UnsafeBufferPointer(start: input, count: rows * inputCount)),
                                                     rows: rows, columns: inputCount, granularity: granularity)
            apply(quantized, output: output, relu: relu, threadCount: threadCount)
            return
        }
        let status = withWeightPointers { weights in
            shrink_subbyte_linear_dynamic(Int32(containerBits), rows, outputCount, inputCount, input, max(inputCount, 1),
                                          granularity == .perRow ? 1 : 0, relu ? 1 : 0, weights.packed, weights.offsets,
                                          weights.compensation, weights.scales, weights.bias, output, outputCount)
        }
        if status != 0 { throw .outOfMemory }
    }

    /// y = dequant(x · Wᵀ) + bias (and with `relu` max(0, y)) for already-quantized activations
    /// into `output` ([input.rows, outputCount]), on up to `threadCount` threads (whole 64-channel
    /// panels each).
    public func apply(_ input: QuantizedActivations, output: UnsafeMutablePointer<Float>, relu: Bool = false,
                      threadCount: Int = 1) {
        precondition(input.columns == inputCount, "input has \(input.columns) columns, expected \(inputCount)")
        guard input.rows > 0, outputCount > 0 else { return }
        let rows = input.rows, inputCount = inputCount, outputCount = outputCount
        let steps = (inputCount + 4 * (8 / containerBits) - 1) / (4 * (8 / containerBits))
        let codes = input.codes.isEmpty ? [0] : input.codes
        var codeSums = [Int32](repeating: 0, count: rows)
        codes.withUnsafeBufferPointer { x in
            codeSums.withUnsafeMutableBufferPointer { sums in
                shrink_activation_code_sums(rows, inputCount, x.baseAddress, max(inputCount, 1), sums.baseAddress)
            }
        }
        _ = codes.withUnsafeBufferPointer { x in
            input.scales.withUnsafeBufferPointer { sx in
                input.zeroPoints.withUnsafeBufferPointer { zx in
                    codeSums.withUnsafeBufferPointer { sums in
                        withWeightPointers { weights in
                            PanelSplit.forEachColumnRange(outputCount: outputCount,
                                                         panelColumns: Int(SHRINK_SUBBYTE_PANEL_COLUMNS),
                                                         threadCount: threadCount) { columns in
                                let start = columns.lowerBound
                                _ = shrink_subbyte_linear(Int32(containerBits), rows, columns.count, inputCount, x.baseAddress,
                                                          max(inputCount, 1), sx.baseAddress, zx.baseAddress, sums.baseAddress,
                                                          weights.packed + start * steps * 4, weights.offsets + start,
                                                          weights.compensation + start, weights.scales + start,
                                                          weights.bias.map { $0 + start }, relu ? 1 : 0, output + start,
                                                          outputCount)
                            }
                            return 0
                        }
                    }
                }
            }
        }
    }

    /// The exact int32 sums Σ_p codes[i][p] · u[j][p] of u8 activation codes and the stored
    /// unsigned weight codes (no offsets, zero points or scales). // [rows, outputCount]
    public func accumulate(codes: [UInt8], rows: Int) throws(RuntimeKernelError) -> [Int32] {
        try RuntimeKernelError.check("codes", codes, rows * inputCount)
        var sums = [Int32](repeating: 0, count: rows * outputCount)
        guard rows > 0, outputCount > 0 else { return sums }
        codes.withUnsafeBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { c in
                _ = shrink_subbyte_gemm_s32(Int32(containerBits), rows, outputCount, inputCount, x.baseAddress,
                                            max(inputCount, 1), packed.base.assumingMemoryBound(to: UInt8.self),
                                            c.baseAddress, outputCount)
            }
        }
        return sums
    }

    /// The C pointers of the packed weights and their per-channel tables.
    private struct WeightPointers {
        let packed: UnsafePointer<UInt8>
        let offsets: UnsafePointer<Int32>, compensation: UnsafePointer<Int32>
        let scales: UnsafePointer<Float>, bias: UnsafePointer<Float>?
    }

    private func withWeightPointers(_ body: (WeightPointers) -> Int32) -> Int32 {
        offsets.withUnsafeBufferPointer { offsets in
            compensation.withUnsafeBufferPointer { compensation in
                scales.withUnsafeBufferPointer { scales in
                    withBiasPointer { bias in
                        body(WeightPointers(packed: UnsafePointer(packed.base.assumingMemoryBound(to: UInt8.self)),
                                            offsets: offsets.baseAddress!, compensation: compensation.baseAddress!,
                                            scales: scales.baseAddress!, bias: bias))
                    }
                }
            }
        }
    }

    private func withBiasPointer<Result>(_ body: (UnsafePointer<Float>?) -> Result) -> Result {
        guard let bias else { return body(nil) }
        return bias.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
