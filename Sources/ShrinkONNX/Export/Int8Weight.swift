import ShrinkEncodings
import ShrinkFormats

/// A weight stored the way Shrink's int8 quantization writes it: signed 8-bit affine codes with
/// zero point 0, one scale per output channel (axis 0) or one for the tensor; the form the
/// runtime's int8 kernels read (`ExecutionPlan.matrixKernel`).
struct Int8Weight {
    /// One code per element, row-major, in −128…127.
    let codes: [Int32]
    /// One per output channel, or one.
    let scales: [Float]

    /// The codes and scales of `stored`, or nil when it is not stored that way.
    init?(_ stored: StoredTensor) {
        guard let coded = stored.encoding?.coded, let outputs = stored.value.shape.first,
              case let .affine(bits, isSigned, channelCount) = coded.format,
              bits == 8, isSigned, channelCount == outputs || channelCount == 1,
              coded.zeroPoints.allSatisfy({ $0 == 0 }), let codes = coded.affineCodes()
        else { return nil }
        self.codes = codes
        scales = coded.scales
    }
}
