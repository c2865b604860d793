/// The ranking rule every accuracy figure in Shrink uses: classes ordered by logit, highest
/// first; equal logits put the lower class index first (so the top-1 class is numpy's and
/// torch's `argmax`); a NaN logit never ranks above another class.
public enum LogitRanking {
    /// The index of the first maximal logit, ignoring NaN (0 if every logit is NaN).
    public static func argmax(_ logits: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        var bestValue = -Float.infinity
        var found = false
        for index in 0..<count {
            let value = logits[index]
            if value.isNaN { continue }
            if !found || value > bestValue {
                best = index
                bestValue = value
                found = true
            }
        }
        return best
    }

    /// The 0-based rank of class `label` among `count` logits, or nil if its logit is NaN. A
    /// sample is top-k correct when this rank is below k.
    public static func rank(of label: Int, in logits: UnsafePointer<Float>, count: Int) -> Int? {
        precondition(label >= 0 && label < count, "label \(label) out of range 0..<\(count)")
        let labelValue = logits[label]
        if labelValue.isNaN { return nil }
        var rank = 0
        for index in 0..<count {
            let value = logits[index]
            if value > labelValue || (value == labelValue && index < label) { rank += 1 }
        }
        return rank
    }
}
