import Foundation

/// A fast, reproducible random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random choice in Shrink (initialization, shuffling, dropout, k-means seeding) draws
/// from one of these, so a run with the same seed produces the same numbers on every machine.
public struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform float in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal sample (Box–Muller; one of the pair is used).
    public mutating func nextNormal() -> Float {
        var u1 = 0.0
        repeat { u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) } while u1 <= 0
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2))
    }

    /// A uniform integer in `0..<upperBound` without modulo bias.
    public mutating func nextIndex(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "upper bound must be positive")
        return Int(next(upperBound: UInt64(upperBound)))
    }

    private func rotateLeft(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}

extension Array {
    /// Shuffles in place with a seeded generator (Fisher–Yates), reproducibly across platforms.
    public mutating func seededShuffle(using generator: inout SeededRandomNumberGenerator) {
        guard count > 1 else { return }
        for index in stride(from: count - 1, to: 0, by: -1) {
            let other = generator.nextIndex(below: index + 1)
            if other != index { swapAt(index, other) }
        }
    }
}
