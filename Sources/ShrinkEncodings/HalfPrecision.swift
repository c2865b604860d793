/// IEEE 754 binary16 ("half precision") conversion implemented on bit patterns, independent of
/// the platform's `Float16` support.
///
/// Float → half rounds to nearest, ties to even; magnitudes that round beyond the largest
/// finite half (65504) become ±infinity; results below the normal range become half subnormals
/// (or ±0); NaN stays NaN (quiet, sign and the upper 10 payload bits kept). Half → Float is exact.
public enum HalfPrecision {
    /// The binary16 bit pattern nearest to `value` (round to nearest, ties to even).
    public static func bits(from value: Float) -> UInt16 {
        let pattern = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (pattern >> 16) & 0x8000)
        let exponentField = Int((pattern >> 23) & 0xFF)
        let mantissa = pattern & 0x7F_FFFF
        if exponentField == 0xFF {
            // Infinity keeps a zero mantissa; NaN becomes a quiet NaN with its top payload bits.
            if mantissa == 0 { return sign | 0x7C00 }
            return sign | 0x7C00 | 0x0200 | UInt16(truncatingIfNeeded: mantissa >> 13)
        }
        let exponent = exponentField - 127 // unbiased; float subnormals give -127 and round to 0
        if exponent > 15 { return sign | 0x7C00 }
        if exponent >= -14 {
            // Normal half: drop 13 mantissa bits with round-half-even; a carry out of the
            // mantissa correctly bumps the exponent (up to infinity, 0x7C00).
            var rounded = UInt32(exponent + 15) << 10 | (mantissa >> 13)
            let remainder = mantissa & 0x1FFF
            if remainder > 0x1000 || (remainder == 0x1000 && rounded & 1 == 1) { rounded += 1 }
            return sign | UInt16(truncatingIfNeeded: rounded)
        }
        // Half subnormal (unit 2^-24) or zero. Below 2^-25 everything rounds to zero; exactly
        // 2^-25 is a tie between 0 and 2^-24 and goes to the even one, 0.
        if exponent < -25 { return sign }
        let significand = mantissa | 0x80_0000 // value = significand · 2^(exponent − 23)
        let shift = UInt32(-(exponent + 1)) // 14 ... 24: value / 2^-24 = significand >> shift
        var quotient = significand >> shift
        let remainder = significand & ((1 << shift) - 1)
        let half = UInt32(1) << (shift - 1)
        if remainder > half || (remainder == half && quotient & 1 == 1) { quotient += 1 }
        return sign | UInt16(truncatingIfNeeded: quotient)
    }

    /// The exact `Float` value of a binary16 bit pattern.
    public static func float(fromBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponentField = UInt32((bits >> 10) & 0x1F)
        var mantissa = UInt32(bits & 0x3FF)
        if exponentField == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        if exponentField == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal half: normalize into a Float normal.
            var exponent = -14
            while mantissa & 0x400 == 0 {
                mantissa <<= 1
                exponent -= 1
            }
            mantissa &= 0x3FF
            return Float(bitPattern: sign | UInt32(exponent + 127) << 23 | (mantissa << 13))
        }
        return Float(bitPattern: sign | (exponentField + 112) << 23 | (mantissa << 13))
    }

    /// `value` rounded through half precision and back.
    @inlinable
    public static func rounded(_ value: Float) -> Float {
        float(fromBits: bits(from: value))
    }
}
