import ShrinkTensor

/// The arithmetic of magnitude pruning: thresholds, k-th-smallest selection and mask combination.
///
/// **Counting rule.** Pruning a tensor of `n` elements to sparsity `s` prunes exactly
/// `round(s · n)` elements (halves away from zero). Elements a previous mask already pruned come
/// first, whatever their value (so masks combine: pruned stays pruned); the rest follow by
/// increasing magnitude `|w|`, and **ties are broken by the lower row-major index** (for global
/// pruning: the earlier tensor, then the lower index). When the existing mask already prunes more
/// than `round(s · n)` elements they all stay pruned.
public enum MagnitudeMasking {
    /// The population standard deviation `√(Σ(w − mean)² / n)` of all elements (0 for an empty
    /// tensor), computed in double precision. Han et al. prune `|w| < quality · std`.
    public static func standardDeviation(of tensor: Tensor) -> Double {
        let count = tensor.count
        guard count > 0 else { return 0 }
        return tensor.withUnsafeBufferPointer { values in
            var sum = 0.0
            for index in 0..<count { sum += Double(values[index]) }
            let mean = sum / Double(count)
            var squares = 0.0
            for index in 0..<count {
                let centered = Double(values[index]) - mean
                squares += centered * centered
            }
            return (squares / Double(count)).squareRoot()
        }
    }

    /// How many elements `|w| < threshold` or already pruned by `existing` (0 in the mask).
    public static func countBelow(threshold: Float, in values: Tensor, existing: Tensor?) -> Int {
        var count = 0
        values.withUnsafeBufferPointer { weights in
            if let existing {
                existing.withUnsafeBufferPointer { keep in
                    for index in 0..<weights.count where keep[index] == 0 || abs(weights[index]) < threshold { count += 1 }
                }
            } else {
                for index in 0..<weights.count where abs(weights[index]) < threshold { count += 1 }
            }
        }
        return count
    }

    /// The number of elements pruned for sparsity `sparsity` of `elements` elements:
    /// `round(sparsity · elements)`, clamped to `0...elements`.
    public static func prunedCount(sparsity: Double, elements: Int) -> Int {
        min(elements, max(0, Int((sparsity * Double(elements)).rounded())))
    }

    /// A 0/1 mask of `values`' shape that prunes `max(prunedCount, already pruned)` elements
    /// under the counting rule above, and keeps every element `existing` already pruned at 0.
    public static func mask(for values: Tensor, existing: Tensor?, prunedCount: Int) -> Tensor {
        globalMasks(for: [values], existing: [existing], prunedCount: prunedCount)[0]
    }

    /// Masks for several tensors ranked together (global magnitude pruning): the
    /// `prunedCount` smallest elements over all tensors are pruned, under the counting rule.
    public static func globalMasks(for values: [Tensor], existing: [Tensor?], prunedCount: Int) -> [Tensor] {
        precondition(values.count == existing.count, "one existing mask (or nil) per tensor")
        let total = values.reduce(0) { $0 + $1.count }
        precondition(total < Int(UInt32.max), "global pruning supports fewer than 2³² elements")
        // Sort keys: high 32 bits = rank class (0 for already pruned, else the magnitude's bit
        // pattern + 1, which orders non-negative floats like their values), low 32 bits = the
        // global index; sorting the packed keys applies the tie rule for free.
        var keys = [UInt64](repeating: 0, count: total)
        var masks = [Tensor]()
        var alreadyPruned = 0
        keys.withUnsafeMutableBufferPointer { keys in
            var offset = 0
            for (tensor, mask) in zip(values, existing) {
                if let mask { precondition(mask.shape == tensor.shape, "mask \(mask.shape) does not match \(tensor.shape)") }
                tensor.withUnsafeBufferPointer { weights in
                    for index in 0..<weights.count {
                        let magnitude = UInt64(abs(weights[index]).bitPattern) + 1
                        keys[offset + index] = magnitude << 32 | UInt64(offset + index)
                    }
                }
                mask?.withUnsafeBufferPointer { keep in
                    for index in 0..<keep.count where keep[index] == 0 {
                        keys[offset + index] = UInt64(offset + index)
                        alreadyPruned += 1
                    }
                }
                offset += tensor.count
            }
            keys.sort()
        }
        let pruned = min(total, max(prunedCount, alreadyPruned))
        var flatMask = [Float](repeating: 1, count: total)
        flatMask.withUnsafeMutableBufferPointer { flat in
            keys.withUnsafeBufferPointer { keys in
                for rank in 0..<pruned { flat[Int(keys[rank] & 0xFFFF_FFFF)] = 0 }
            }
        }
        var offset = 0
        for tensor in values {
            masks.append(Tensor(shape: tensor.shape, scalars: Array(flatMask[offset..<offset + tensor.count])))
            offset += tensor.count
        }
        return masks
    }

    /// `value` with every element whose mask is 0 set to exactly zero.
    public static func applying(_ mask: Tensor, to value: Tensor) -> Tensor {
        precondition(mask.shape == value.shape, "mask \(mask.shape) does not match \(value.shape)")
        var result = value
        result.withUnsafeMutableBufferPointer { weights in
            mask.withUnsafeBufferPointer { keep in
                for index in 0..<weights.count where keep[index] == 0 { weights[index] = 0 }
            }
        }
        return result
    }

    /// The number of non-zero elements.
    public static func nonZeroCount(of tensor: Tensor) -> Int {
        tensor.withUnsafeBufferPointer { values in
            var count = 0
            for index in 0..<values.count where values[index] != 0 { count += 1 }
            return count
        }
    }
}
