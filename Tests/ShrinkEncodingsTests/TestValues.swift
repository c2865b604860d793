import ShrinkEncodings
import ShrinkTensor

/// Seeded test inputs shared by the encoding tests.
enum TestValues {
    /// The element counts every round-trip test covers.
    static let counts = [0, 1, 7, 33, 1000]

    /// Float values that stress encoders: signed zeros, infinities, NaNs with payloads,
    /// subnormals, the extreme finite values and half-precision boundaries.
    static let extremes: [Float] = [
        0, -0.0, .infinity, -.infinity,
        Float(bitPattern: 0x7FC0_0001), Float(bitPattern: 0xFFA5_5A5A), Float(bitPattern: 0x7F80_0001),
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, Float(bitPattern: 0x007F_FFFF),
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 65504, 65520, -65536, 6.1035156e-05, 5.9604645e-08,
        2.9802322e-08, 1, -1, 0.1, 1.0 / 3.0,
    ]

    /// `count` values mixing random normals, exact zeros and the extremes.
    static func floats(count: Int, seed: UInt64) -> [Float] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return (0..<count).map { index in
            switch generator.next() % 8 {
            case 0: return extremes[Int(generator.next() % UInt64(extremes.count))]
            case 1, 2: return 0
            case 3: return Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            default: return (generator.nextUniform() - 0.5) * 8 + Float(index % 3)
            }
        }
    }

    /// `count` codes below `2^bits`, a third of them 0, the extremes 0 and `2^bits − 1` included.
    static func codes(count: Int, bits: Int, seed: UInt64) -> [UInt32] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let mask = UInt64((UInt64(1) << UInt64(bits)) - 1)
        return (0..<count).map { index in
            if index == 1 { return UInt32(mask) }
            switch generator.next() % 3 {
            case 0: return 0
            default: return UInt32(generator.next() & mask)
            }
        }
    }

    /// Bit-exact comparison (NaN payloads and the sign of zero matter).
    static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
}

/// A named seeded generator for tests that need raw draws.
enum ShrinkTensorSeed {
    static func generator(_ seed: UInt64) -> SeededRandomNumberGenerator { SeededRandomNumberGenerator(seed: seed) }
}
