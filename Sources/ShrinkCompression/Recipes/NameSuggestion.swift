/// The closest of a set of valid names to a misspelled one, by edit distance, for "did you
/// mean …?" in error messages.
public enum NameSuggestion {
    /// The Levenshtein distance between two strings (insertions, deletions and substitutions of
    /// characters each cost 1), compared case-sensitively.
    public static func editDistance(_ first: String, _ second: String) -> Int {
        let source = Array(first)
        let target = Array(second)
        if source.isEmpty { return target.count }
        if target.isEmpty { return source.count }
        var previous = Array(0...target.count)
        var current = [Int](repeating: 0, count: target.count + 1)
        for sourceIndex in 1...source.count {
            current[0] = sourceIndex
            for targetIndex in 1...target.count {
                let substitution = previous[targetIndex - 1] + (source[sourceIndex - 1] == target[targetIndex - 1] ? 0 : 1)
                current[targetIndex] = min(previous[targetIndex] + 1, current[targetIndex - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[target.count]
    }

    /// The candidate nearest to `name` (case-insensitively; the first of equally near ones), or
    /// nil when there is no candidate or the nearest differs in more than half of `name`'s
    /// characters (then it is no plausible misspelling).
    public static func closest(to name: String, among candidates: [String]) -> String? {
        let lowered = name.lowercased()
        let scored = candidates.map { (candidate: $0, distance: editDistance(lowered, $0.lowercased())) }
        guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
        return best.distance <= max(2, (name.count + 1) / 2) ? best.candidate : nil
    }
}
