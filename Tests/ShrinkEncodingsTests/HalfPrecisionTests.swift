import ShrinkTensor
import Testing
import ShrinkEncodings

@Suite struct HalfPrecisionTests {
    @Test func everyHalfValueConvertsExactlyAndRoundTrips() {
        var mismatches = 0
        for raw in 0...UInt16.max {
            let expected = Float(Float16(bitPattern: raw))
            let actual = HalfPrecision.float(fromBits: raw)
            if expected.isNaN {
                if !actual.isNaN || actual.sign != expected.sign { mismatches += 1 }
                if !Float16(actual).isNaN || HalfPrecision.bits(from: actual) & 0x7C00 != 0x7C00 { mismatches += 1 }
                continue
            }
            if actual.bitPattern != expected.bitPattern { mismatches += 1 }
            if HalfPrecision.bits(from: actual) != raw { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func tiesBetweenNeighboringHalvesRoundToEven() {
        var mismatches = 0
        var checked = 0
        for raw in UInt16(0)..<0x7C00 { // every positive finite half and its upper neighbor
            let low = Float(Float16(bitPattern: raw))
            let high = Float(Float16(bitPattern: raw + 1)) // 0x7C00 is +infinity
            let midpoint = high.isFinite ? (low + high) / 2 : 65520 // the overflow tie
            for value in [midpoint, -midpoint, midpoint.nextUp, midpoint.nextDown] {
                checked += 1
                if HalfPrecision.bits(from: value) != Float16(value).bitPattern { mismatches += 1 }
            }
        }
        #expect(checked == 4 * 0x7C00)
        #expect(mismatches == 0)
        // Hand-checked cases: 1 + 2^-11 is a tie between 1 and 1 + 2^-10 and goes to 1 (even).
        #expect(HalfPrecision.bits(from: 1 + 0x1p-11) == 0x3C00)
        #expect(HalfPrecision.bits(from: 1 + 3 * 0x1p-11) == 0x3C02)
        #expect(HalfPrecision.bits(from: 0x1p-25) == 0) // tie between 0 and the smallest subnormal
        #expect(HalfPrecision.bits(from: Float(0x1p-25).nextUp) == 1)
        #expect(HalfPrecision.bits(from: 65504) == 0x7BFF)
        #expect(HalfPrecision.bits(from: 65519.996) == 0x7BFF)
        #expect(HalfPrecision.bits(from: 65520) == 0x7C00) // overflow to +infinity
        #expect(HalfPrecision.bits(from: -1e10) == 0xFC00)
        #expect(HalfPrecision.bits(from: -0.0) == 0x8000)
    }

    @Test func randomFloatBitPatternsMatchFloat16() {
        var generator = SeededRandomNumberGenerator(seed: 16)
        var mismatches = 0
        for _ in 0..<200_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            let expected = Float16(value)
            let actual = HalfPrecision.bits(from: value)
            if expected.isNaN {
                if actual & 0x7C00 != 0x7C00 || actual & 0x3FF == 0 || (actual & 0x8000 != 0) != (value.sign == .minus) {
                    mismatches += 1
                }
            } else if actual != expected.bitPattern {
                mismatches += 1
            }
        }
        // Values near the half range (exponents −30...20) exercise normal and subnormal rounding.
        for _ in 0..<100_000 {
            let value = Float(sign: generator.next() & 1 == 0 ? .plus : .minus,
                              exponent: Int(generator.next() % 51) - 30,
                              significand: 1 + generator.nextUniform())
            if HalfPrecision.bits(from: value) != Float16(value).bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func nanStaysNaN() {
        let quiet = HalfPrecision.bits(from: .nan)
        #expect(HalfPrecision.float(fromBits: quiet).isNaN)
        let signaling = Float(bitPattern: 0xFF80_0001) // negative signaling NaN, payload only in low bits
        let converted = HalfPrecision.bits(from: signaling)
        #expect(converted & 0x7C00 == 0x7C00 && converted & 0x3FF != 0 && converted & 0x8000 != 0)
        #expect(HalfPrecision.float(fromBits: 0x7C00) == .infinity)
    }
}
