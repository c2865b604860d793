import ShrinkEncodings
import ShrinkKernels

extension ExecutionPlan {
    /// The integer kernel of affine codes of `bits` bits with one scale and zero point per output
    /// channel or per tensor, or nil when they have none (the caller decodes them to fp32):
    ///
    /// - 1...4 bits: `SubByteLinearWeights` (codes packed two or four per byte, never decoded);
    /// - 5...7 bits, any signedness and zero points: the int8 kernel on q − zeroPoint, which fits
    ///   s8 (both in the same range of at most 2^7 codes, so |q − zeroPoint| ≤ 127): numerically
    ///   the int8 dynamic computation;
    /// - 8 bits: the int8 kernel when signed with zero points 0 (q itself); otherwise nil.
    ///
    /// A fold scales the per-channel scales (and enters the bias), so it is always folded. With
    /// `int8ColumnOrder`, an int8 kernel's column j holds the stored column int8ColumnOrder[j].
    static func affineKernel(coded: CodedTensor, bits: Int, isSigned: Bool, channelCount: Int, outputs: Int,
                             inputs: Int, fold: ChannelAffine?, foldedBias: [Float]?,
                             int8ColumnOrder: [Int]?) throws -> (LinearKernel, LayerKernel, Bool)? {
        guard channelCount == outputs || channelCount == 1, coded.codes.count == outputs * inputs,
              var codes = coded.affineCodes() else { return nil }
        var scales = channelCount == 1 ? [Float](repeating: coded.scales[0], count: outputs) : coded.scales
        if let fold { scales = zip(scales, fold.scale).map { $0 * $1 } }
        let zeroPoints = channelCount == 1 ? [Int32](repeating: coded.zeroPoints[0], count: outputs) : coded.zeroPoints
        switch bits {
        case 1...4:
            let packed = try SubByteLinearWeights(affineCodes: codes, bits: bits, isSigned: isSigned, scales: scales,
                                                  zeroPoints: zeroPoints, bias: foldedBias, outputCount: outputs,
                                                  inputCount: inputs)
            return (.subByte(packed), .integer(bits: bits), fold != nil)
        case 5...7,
             8 where isSigned && zeroPoints.allSatisfy({ $0 == 0 }):
            codes.withUnsafeMutableBufferPointer { codes in
                for row in 0..<outputs {
                    for column in 0..<inputs { codes[row * inputs + column] -= zeroPoints[row] }
                }
            }
            if let order = int8ColumnOrder, order.count == inputs {
                let stored = codes
                for row in 0..<outputs {
                    for column in 0..<inputs { codes[row * inputs + column] = stored[row * inputs + order[column]] }
                }
            }
            let packed = try Int8LinearWeights(weights: codes.map { Int8($0) }, scales: scales, bias: foldedBias,
                                               outputCount: outputs, inputCount: inputs)
            return (.int8(packed), .int8(static: false), fold != nil)
        default:
            return nil
        }
    }
}
