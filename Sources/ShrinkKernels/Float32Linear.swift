import CShrinkKernels

/// fp32 weights of a linear layer ([outputCount, inputCount] as stored): the honest baseline the
/// compressed kernels are compared with. Packed once at load into 32-column panels
/// (`shrink_f32_pack_panels`: depth slices of ≤ 384, each a run of [depth][32] blocks), the layout
/// both kernels read: up to 4 rows stream the panels once (`shrink_f32_panels_linear`'s row
/// kernel), larger batches run the blocked GEMM with the panels as its already-packed B, so no
/// call re-packs (or transposes) W. The panels take 4 · inputCount · (outputCount rounded up to
/// 16) bytes: the weights once, plus at most 15 zero columns.
public struct Float32LinearWeights: FloatLinearWeights, @unchecked Sendable {
    /// Output channels (n) and input features (k).
    public let outputCount: Int, inputCount: Int
    /// The weights in the panel layout, 64-byte aligned. // [inputCount · panelWidth]
    let panels: PackedBuffer
    /// The layout's width: outputCount rounded up to 16 (32-column panels, a 16-column last one).
    let panelWidth: Int
    /// The weights as stored, unpacked from the panels (a copy). // [outputCount, inputCount]
    public var weights: [Float] {
        var values = [Float](repeating: 0, count: outputCount * inputCount)
        values.withUnsafeMutableBufferPointer { target in
            shrink_f32_unpack_panels(outputCount, inputCount, panels.pointer(as: Float.self), target.baseAddress!,
                                     max(inputCount, 1))
        }
        return values
    }
    /// Bias of each output channel, if any. // [outputCount]
    public let bias: [Float]?

    /// Columns of a panel: threads split the outputs in multiples of it.
    static let panelColumns = 32

    /// Output channels per thread below which a call stays on one thread.
    static let minimumChannelsPerThread = 64

    /// Packs `weights` ([outputCount, inputCount]) into panels and keeps `bias` ([outputCount]).
    public init(weights: [Float], bias: [Float]? = nil, outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("weights", weights, outputCount * inputCount)
        if let bias { try RuntimeKernelError.check("bias", bias, outputCount) }
        self.outputCount = outputCount
        self.inputCount = inputCount
        panelWidth = shrink_f32_panels_width(outputCount)
        panels = PackedBuffer(byteCount: 4 * shrink_f32_panels_count(outputCount, inputCount))
        let target = UnsafeMutablePointer(mutating: panels.pointer(as: Float.self))
        weights.withUnsafeBufferPointer { source in
            if let base = source.baseAddress {
                shrink_f32_pack_panels(outputCount, inputCount, base, max(inputCount, 1), target)
            }
        }
        self.bias = bias
    }

    /// y = x · Wᵀ + bias for `rows` rows of `input` ([rows, inputCount]) into `output`
    /// ([rows, outputCount]) on the active CPU path, on up to `threadCount` threads (each takes
    /// whole panels of output channels, or, for a batch much taller than it is wide, a range of
    /// rows; results do not depend on the thread count).
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, threadCount: Int = 1) {
        guard rows > 0, outputCount > 0 else { return }
        let outputCount = self.outputCount, inputCount = self.inputCount, width = panelWidth
        let base = UnsafePointer(panels.pointer(as: Float.self))
        let run = { (biasPointer: UnsafePointer<Float>?) in
            func columns(_ range: Range<Int>, rows rowRange: Range<Int>) {
                let status = shrink_f32_panels_linear(
                    rowRange.count, range.count, inputCount, input + rowRange.lowerBound * inputCount, max(inputCount, 1),
                    base, width, range.lowerBound, biasPointer.map { $0 + range.lowerBound },
                    output + rowRange.lowerBound * outputCount + range.lowerBound, outputCount)
                precondition(status == 0, "panel column ranges are whole panels inside the layout")
            }
            let panelCount = (outputCount + Self.panelColumns - 1) / Self.panelColumns
            if rows > 4 && rows > 2 * outputCount {
                // Tall and narrow (a 10-class head at a large batch): split the rows.
                Parallelism.forEachChunk(count: rows, minimumChunk: 16, threadCount: max(1, threadCount)) { rowRange in
                    columns(0..<outputCount, rows: rowRange)
                }
                return
            }
            Parallelism.forEachChunk(count: panelCount, minimumChunk: max(1, Self.minimumChannelsPerThread / Self.panelColumns),
                                     threadCount: max(1, threadCount)) { chunk in
                let start = chunk.lowerBound * Self.panelColumns
                columns(start..<min(chunk.upperBound * Self.panelColumns, outputCount), rows: 0..<rows)
            }
        }
        if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
    }
}
