/// Short vector loops used inside hot layer loops, inlined so that the rows of a few floats
/// im2col and col2im move do not pay for a `memmove` call each.
enum VectorLoops {
    /// `target[0..<count] = source[0..<count]` (the ranges must not overlap).
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var index = 0
        while index + 8 <= count {
            let vector = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + index).storeBytes(of: vector, as: SIMD8<Float>.self)
            index += 8
        }
        while index < count {
            target[index] = source[index]
            index += 1
        }
    }

    /// `target[0..<count] += source[0..<count]` (the ranges must not overlap).
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var index = 0
        while index + 8 <= count {
            let sum = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(target + index).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + index).storeBytes(of: sum, as: SIMD8<Float>.self)
            index += 8
        }
        while index < count {
            target[index] += source[index]
            index += 1
        }
    }

    /// `target[0..<count] = source[0..<count] + value`.
    @inline(__always)
    static func copyAdding(_ value: Float, _ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var index = 0
        let shift = SIMD8<Float>(repeating: value)
        while index + 8 <= count {
            let vector = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self) + shift
            UnsafeMutableRawPointer(target + index).storeBytes(of: vector, as: SIMD8<Float>.self)
            index += 8
        }
        while index < count {
            target[index] = source[index] + value
            index += 1
        }
    }

    /// `Σ source[0..<count]`, with eight partial sums (not in sequential order).
    @inline(__always)
    static func sum(_ source: UnsafePointer<Float>, count: Int) -> Float {
        var index = 0
        var partial = SIMD8<Float>()
        while index + 8 <= count {
            partial += UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
            index += 8
        }
        var total = partial.sum()
        while index < count {
            total += source[index]
            index += 1
        }
        return total
    }

    /// `target[i] = max(source[i], 0)`.
    @inline(__always)
    static func rectify(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var index = 0
        let zero = SIMD8<Float>()
        while index + 8 <= count {
            let vector = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
            // A compare and blend (the generic pointwiseMax is not lowered to a vector max).
            UnsafeMutableRawPointer(target + index).storeBytes(
                of: vector.replacing(with: zero, where: vector .< zero), as: SIMD8<Float>.self)
            index += 8
        }
        while index < count {
            target[index] = max(source[index], 0)
            index += 1
        }
    }

    /// `target[i] = mask[i] > 0 ? source[i] : 0` (the rectifier's gradient given its output).
    @inline(__always)
    static func passWherePositive(
        _ source: UnsafePointer<Float>, mask: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int
    ) {
        var index = 0
        let zero = SIMD8<Float>()
        while index + 8 <= count {
            let vector = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
            let gate = UnsafeRawPointer(mask + index).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + index).storeBytes(
                of: zero.replacing(with: vector, where: gate .> zero), as: SIMD8<Float>.self)
            index += 8
        }
        while index < count {
            target[index] = mask[index] > 0 ? source[index] : 0
            index += 1
        }
    }

    /// `target[i] = min(max(source[i], minimum), maximum)`.
    @inline(__always)
    static func clip(
        _ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int, minimum: Float, maximum: Float
    ) {
        var index = 0
        let low = SIMD8<Float>(repeating: minimum), high = SIMD8<Float>(repeating: maximum)
        while index + 8 <= count {
            var vector = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
            vector.replace(with: low, where: vector .< low)
            vector.replace(with: high, where: vector .> high)
            UnsafeMutableRawPointer(target + index).storeBytes(of: vector, as: SIMD8<Float>.self)
            index += 8
        }
        while index < count {
            target[index] = min(max(source[index], minimum), maximum)
            index += 1
        }
    }

    /// `target[i] = minimum < values[i] < maximum ? source[i] : 0` (the gradient of a clip given
    /// its output).
    @inline(__always)
    static func passWhereInside(
        _ source: UnsafePointer<Float>, values: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int,
        minimum: Float, maximum: Float
    ) {
        var index = 0
        let zero = SIMD8<Float>(), low = SIMD8<Float>(repeating: minimum), high = SIMD8<Float>(repeating: maximum)
        while index + 8 <= count {
            let vector = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self)
            let value = UnsafeRawPointer(values + index).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + index).storeBytes(
                of: zero.replacing(with: vector, where: (value .> low) .& (value .< high)), as: SIMD8<Float>.self)
            index += 8
        }
        while index < count {
            target[index] = values[index] > minimum && values[index] < maximum ? source[index] : 0
            index += 1
        }
    }
}
