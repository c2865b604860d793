import CShrinkKernels

/// Calibrated (static) u8 activation parameters: x ≈ scale · (code − zeroPoint), the same for
/// every row and every batch, so no range is measured at run time.
public struct StaticActivationQuantization: Equatable, Sendable {
    /// Positive and finite.
    public let scale: Float
    /// In 0...255.
    public let zeroPoint: Int32

    /// Checks the parameters.
    public init(scale: Float, zeroPoint: Int32) throws(RuntimeKernelError) {
        guard scale > 0, scale.isFinite else {
            throw .invalidValue(name: "activation scale", value: scale.isFinite ? Int(scale) : Int.max,
                                allowed: "positive and finite")
        }
        guard (0...255).contains(zeroPoint) else {
            throw .invalidValue(name: "activation zero point", value: Int(zeroPoint), allowed: "0...255")
        }
        self.scale = scale
        self.zeroPoint = zeroPoint
    }
}

extension QuantizedActivations {
    /// Quantizes fp32 `input` ([rows, columns]) with calibrated parameters, no range scan
    /// (`shrink_quantize_activations_static`): code = clamp(nearbyint(x / scale) + zeroPoint, 0, 255).
    public init(quantizing input: [Float], rows: Int, columns: Int,
                parameters: StaticActivationQuantization) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("input", input, rows * columns)
        var codes = [UInt8](repeating: 0, count: rows * columns)
        input.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { q in
                shrink_quantize_activations_static(rows, columns, x.baseAddress, max(columns, 1), parameters.scale,
                                                   parameters.zeroPoint, q.baseAddress, max(columns, 1))
            }
        }
        try self.init(rows: rows, columns: columns, codes: codes,
                      scales: [Float](repeating: parameters.scale, count: rows),
                      zeroPoints: [Int32](repeating: parameters.zeroPoint, count: rows))
    }
}

extension Int8LinearWeights {
    /// Static quantization fused with the int8 product: fp32 `input` ([rows, inputCount]) → u8
    /// with the calibrated `parameters` (no per-row min/max scan) → y ([rows, outputCount]), on up
    /// to `threadCount` threads.
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
                      parameters: StaticActivationQuantization, threadCount: Int = 1) throws(RuntimeKernelError) {
        guard rows > 0, outputCount > 0 else { return }
        if threadCount > 1 {
            let quantized = try QuantizedActivations(
                quantizing: Array(UnsafeBufferPointer(start: input, count: rows * inputCount)),
                rows: rows, columns: inputCount, parameters: parameters)
            apply(quantized, output: output, threadCount: threadCount)
            return
        }
        let status = withBias { biasPointer in
            rowSums.withUnsafeBufferPointer { sums in
                scales.withUnsafeBufferPointer { sw in
                    shrink_int8_linear_static(rows, outputCount, inputCount, input, max(inputCount, 1), parameters.scale,
                                              parameters.zeroPoint, packed.base.assumingMemoryBound(to: Int8.self),
                                              sums.baseAddress, sw.baseAddress, biasPointer, output, outputCount)
                }
            }
        }
        if status != 0 { throw .outOfMemory }
    }

    func withBias<Result>(_ body: (UnsafePointer<Float>?) -> Result) -> Result {
        guard let bias else { return body(nil) }
        return bias.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

extension ReferenceKernels {
    /// Twin of `QuantizedActivations(quantizing:rows:columns:parameters:)`.
    public static func quantizeActivations(_ input: [Float], rows: Int, columns: Int,
                                           parameters: StaticActivationQuantization) -> QuantizedActivations {
        let inverse = 1 / parameters.scale
        let codes = input.map { value -> UInt8 in
            let scaled = (value * inverse).rounded(.toNearestOrEven)
            // NaN maps to the lowest code, as in C.
            let clamped = scaled > -1e9 ? min(scaled, 1e9) : -1e9
            let code = Int64(clamped) + Int64(parameters.zeroPoint)
            return UInt8(min(max(code, 0), 255))
        }
        return try! QuantizedActivations(rows: rows, columns: columns, codes: codes,
                                         scales: [Float](repeating: parameters.scale, count: rows),
                                         zeroPoints: [Int32](repeating: parameters.zeroPoint, count: rows))
    }
}

/// How an int8 layer quantizes its fp32 input.
public enum Int8InputQuantization: Equatable, Sendable {
    /// Measured on each call, per row or per tensor (`shrink_quantize_activations`).
    case dynamic(ActivationQuantizationGranularity)
    /// Calibrated parameters, no range scan (`shrink_quantize_activations_static`).
    case calibrated(StaticActivationQuantization)
}

extension Int8LinearWeights {
    /// fp32 `input` ([rows, inputCount]) quantized as `quantization` says, the int8 product, and
    /// with `relu` max(0, y) applied in the dequantizing epilogue (`y >= 0 ? y : 0`, NaN to 0:
    /// no second pass over the output), into `output` ([rows, outputCount]), on up to
    /// `threadCount` threads (split calls apply the ReLU after the product, same values).
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
                      quantization: Int8InputQuantization, relu: Bool, threadCount: Int = 1) throws(RuntimeKernelError) {
        guard rows > 0, outputCount > 0 else { return }
        if threadCount > 1 {
            switch quantization {
            case let .dynamic(granularity):
                try apply(input: input, rows: rows, output: output, granularity: granularity, threadCount: threadCount)
            case let .calibrated(parameters):
                try apply(input: input, rows: rows, output: output, parameters: parameters, threadCount: threadCount)
            }
            if relu {
                for index in 0..<(rows * outputCount) where !(output[index] >= 0) { output[index] = 0 }
            }
            return
        }
        let (mode, scale, zeroPoint): (shrink_int8_activation_mode, Float, Int32) = switch quantization {
        case .dynamic(.perRow): (SHRINK_INT8_PER_ROW, 1, 0)
        case .dynamic(.perTensor): (SHRINK_INT8_PER_TENSOR, 1, 0)
        case let .calibrated(parameters): (SHRINK_INT8_STATIC, parameters.scale, parameters.zeroPoint)
        }
        let status = withBias { biasPointer in
            rowSums.withUnsafeBufferPointer { sums in
                scales.withUnsafeBufferPointer { sw in
                    shrink_int8_linear_fused(rows, outputCount, inputCount, input, max(inputCount, 1), mode, scale, zeroPoint,
                                             relu ? 1 : 0, packed.base.assumingMemoryBound(to: Int8.self), sums.baseAddress,
                                             sw.baseAddress, biasPointer, output, outputCount)
                }
            }
        }
        if status != 0 { throw .outOfMemory }
    }
}

extension ReferenceKernels {
    /// Twin of the ReLU of `Int8LinearWeights.apply(input:rows:output:quantization:relu:threadCount:)`:
    /// `y >= 0 ? y : 0` (NaN to 0, −0 kept).
    public static func relu(_ values: [Float]) -> [Float] { values.map { $0 >= 0 ? $0 : 0 } }
}
