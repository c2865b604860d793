/// Hands out names unique within one namespace (node names, value names): a taken name gets
/// the first free suffix `_2`, `_3`, ….
struct NameAllocator {
    private(set) var used = Set<String>()

    /// Marks names as taken without allocating them.
    mutating func reserve<Names: Sequence<String>>(_ names: Names) { used.formUnion(names) }

    func contains(_ name: String) -> Bool { used.contains(name) }

    /// `base`, or `base_N` with the smallest free N ≥ 2; taken from now on.
    mutating func unique(_ base: String) -> String {
        var candidate = base
        var suffix = 1
        while used.contains(candidate) {
            suffix += 1
            candidate = "\(base)_\(suffix)"
        }
        used.insert(candidate)
        return candidate
    }
}
