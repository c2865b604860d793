import ShrinkGraph

extension ExecutionPlan {
    /// Where every value lives: graph inputs (and their aliases) in the caller's buffers, every
    /// other value in one arena. A value's memory (shared with its aliases) is live from the node
    /// that writes it to the last node reading it or any alias (graph outputs: to the end);
    /// buffers whose lifetimes do not overlap share arena space. Offsets come from a greedy first
    /// fit in order of first write: each buffer takes the lowest offset where it overlaps no live
    /// buffer. Sizes and offsets are in floats per sample, rounded up to 16 (64 bytes), so the
    /// batch-`b` layout is the per-sample one scaled by `b` and stays 64-byte aligned.
    struct ArenaLayout {
        /// By value id.
        var locations: [ValueLocation]
        /// The arena's floats per sample.
        var sampleElements: Int
        /// Floats per sample with one buffer per arena value and no reuse.
        var unsharedSampleElements: Int

        /// Floats per buffer are rounded up to this many.
        static let alignment = 16

        init(graph: Graph, valueIDs: [String: Int], producers: [Int], valueSizes: [Int], aliases: [Int: Int],
             inputIDs: [Int]) {
            func root(_ id: Int) -> Int {
                var current = id
                while let next = aliases[current] { current = next }
                return current
            }
            // Lifetimes of each root buffer: [producer node, last reader of it or any alias].
            var ends = [Int: Int]()
            for (name, last) in graph.lastUses {
                guard let id = valueIDs[name] else { continue }
                let owner = root(id)
                ends[owner] = max(ends[owner] ?? Int.min, last)
            }
            var locations = [ValueLocation?](repeating: nil, count: valueSizes.count)
            for (index, id) in inputIDs.enumerated() { locations[id] = .input(index) }
            var roots = Set<Int>()
            for id in valueSizes.indices where locations[root(id)] == nil { roots.insert(root(id)) }
            struct Block { var offset: Int, size: Int, start: Int, end: Int }
            var placed = [Block]()
            var total = 0, unshared = 0
            for owner in roots.sorted(by: { (producers[$0], $0) < (producers[$1], $1) }) {
                let size = (max(valueSizes[owner], 1) + Self.alignment - 1) / Self.alignment * Self.alignment
                let start = producers[owner], end = max(ends[owner] ?? start, start)
                // Blocks still live when this one is written, by offset.
                let live = placed.filter { $0.end >= start }.sorted { $0.offset < $1.offset }
                var offset = 0
                for block in live {
                    if offset + size <= block.offset { break }
                    offset = max(offset, block.offset + block.size)
                }
                placed.append(Block(offset: offset, size: size, start: start, end: end))
                locations[owner] = .arena(offset)
                total = max(total, offset + size)
                unshared += size
            }
            self.locations = valueSizes.indices.map { locations[root($0)]! }
            sampleElements = total
            unsharedSampleElements = unshared
        }
    }
}
