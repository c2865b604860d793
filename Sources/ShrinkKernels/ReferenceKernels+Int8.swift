/// Plain Swift twins of the int8 kernels.
extension ReferenceKernels {
    /// The quantization parameters of the range [min(0, low), max(0, high)] (twin of the C rule).
    static func activationParameters(low: Float, high: Float) -> (scale: Float, zeroPoint: Int32) {
        let low = min(low, 0), high = max(high, 0)
        var scale = (high - low) / 255
        if !(scale > 0) || !scale.isFinite { scale = 1 }
        let zero = min(max((-low / scale).rounded(.toNearestOrEven), 0), 255)
        return (scale, Int32(zero))
    }

    /// Twin of `QuantizedActivations(quantizing:rows:columns:granularity:)`.
    public static func quantizeActivations(_ input: [Float], rows: Int, columns: Int,
                                           granularity: ActivationQuantizationGranularity) -> QuantizedActivations {
        var parameters: [(scale: Float, zeroPoint: Int32)] = []
        for row in 0..<rows {
            let values = input[(row * columns)..<((row + 1) * columns)]
            parameters.append(activationParameters(low: values.min() ?? 0, high: values.max() ?? 0))
        }
        if granularity == .perTensor, rows > 0 {
            let shared = activationParameters(low: input.min() ?? 0, high: input.max() ?? 0)
            parameters = [(scale: Float, zeroPoint: Int32)](repeating: shared, count: rows)
        }
        var codes = [UInt8](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            let inverse = 1 / parameters[row].scale
            for column in 0..<columns {
                let scaled = (input[row * columns + column] * inverse).rounded(.toNearestOrEven)
                let code = Int64(min(max(scaled, -1e9), 1e9)) + Int64(parameters[row].zeroPoint)
                codes[row * columns + column] = UInt8(min(max(code, 0), 255))
            }
        }
        return try! QuantizedActivations(rows: rows, columns: columns, codes: codes,
                                         scales: parameters.map(\.scale), zeroPoints: parameters.map(\.zeroPoint))
    }

    /// Symmetric per-output-channel s8 quantization: scale = max |w| / 127 (1 for an all-zero
    /// channel), code = nearest integer of w / scale.
    public static func quantizeWeightsSymmetric(_ weights: [Float], outputCount: Int,
                                                inputCount: Int) -> (codes: [Int8], scales: [Float]) {
        var codes = [Int8](repeating: 0, count: weights.count)
        var scales = [Float](repeating: 1, count: outputCount)
        for row in 0..<outputCount {
            var largest: Float = 0
            for column in 0..<inputCount { largest = max(largest, abs(weights[row * inputCount + column])) }
            let scale = largest > 0 ? largest / 127 : 1
            scales[row] = scale
            for column in 0..<inputCount {
                let code = (weights[row * inputCount + column] / scale).rounded(.toNearestOrEven)
                codes[row * inputCount + column] = Int8(min(max(code, -127), 127))
            }
        }
        return (codes, scales)
    }

    /// Twin of `Int8LinearWeights.accumulate`: Σ_p codes[i][p] · weights[j][p] in Int64.
    public static func int8Accumulate(codes: [UInt8], rows: Int, weights: [Int8],
                                      outputCount: Int, inputCount: Int) -> [Int32] {
        var sums = [Int32](repeating: 0, count: rows * outputCount)
        for i in 0..<rows {
            for j in 0..<outputCount {
                var sum: Int64 = 0
                for p in 0..<inputCount {
                    sum += Int64(codes[i * inputCount + p]) * Int64(weights[j * inputCount + p])
                }
                sums[i * outputCount + j] = Int32(sum)
            }
        }
        return sums
    }

    /// Twin of `Int8LinearWeights.apply`: y[i][j] = Float(acc − zx·Σw) · (sx·sw) + bias.
    public static func int8Linear(_ input: QuantizedActivations, weights: [Int8], scales: [Float], bias: [Float]?,
                                  outputCount: Int, inputCount: Int) -> [Float] {
        let sums = int8Accumulate(codes: input.codes, rows: input.rows, weights: weights,
                                  outputCount: outputCount, inputCount: inputCount)
        var output = [Float](repeating: 0, count: input.rows * outputCount)
        for j in 0..<outputCount {
            var rowSum: Int64 = 0
            for p in 0..<inputCount { rowSum += Int64(weights[j * inputCount + p]) }
            for i in 0..<input.rows {
                let centered = Int64(sums[i * outputCount + j]) - Int64(input.zeroPoints[i]) * rowSum
                var value = Float(centered) * (input.scales[i] * scales[j])
                if let bias { value += bias[j] }
                output[i * outputCount + j] = value
            }
        }
        return output
    }
}
