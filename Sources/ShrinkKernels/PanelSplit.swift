/// Splits a layer's output channels into whole packed panels for multi-threaded kernels: every
/// thread runs the single-threaded C kernel on its own columns, so results do not depend on the
/// thread count.
enum PanelSplit {
    /// Runs `body` on contiguous output-column ranges, each made of whole `panelColumns`-wide
    /// panels (the last one ragged), on at most `threadCount` threads.
    static func forEachColumnRange(outputCount: Int, panelColumns: Int, threadCount: Int,
                                   _ body: (Range<Int>) -> Void) {
        guard outputCount > 0 else { return }
        let panels = (outputCount + panelColumns - 1) / panelColumns
        Parallelism.forEachChunk(count: panels, threadCount: max(1, threadCount)) { chunk in
            body((chunk.lowerBound * panelColumns)..<min(chunk.upperBound * panelColumns, outputCount))
        }
    }
}
