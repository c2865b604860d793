import CShrinkKernels

/// Wide-palettized weights of a linear layer (W[j][p] = centroids[index[j][p]] with 9- to 16-bit
/// indices, up to 65,536 centroids), with the indices pre-packed as 16-bit values in 64-channel
/// panels. The weights are never expanded in memory: the kernel gathers each weight's centroid
/// from the fp32 table in registers and accumulates in fp32 (`palette_wide_linear.c`).
public struct WidePaletteLinearWeights: FloatLinearWeights, @unchecked Sendable {
    /// The index widths this kernel takes (narrower palettes run `PaletteLinearWeights`).
    public static let bitWidths = 9...16

    /// Output channels (n) and input features (k).
    public let outputCount: Int, inputCount: Int
    /// Index width in bits (9...16).
    public let bitWidth: Int
    /// The palette (1...2^bitWidth values).
    public let centroids: [Float]
    /// Bias of each output channel, if any. // [outputCount]
    public let bias: [Float]?
    let packed: PackedBuffer

    /// Packs `indices` ([outputCount, inputCount], one 16-bit index per weight, each
    /// < centroids.count).
    public init(indices: [UInt16], centroids: [Float], bitWidth: Int, bias: [Float]? = nil,
                outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.checkPalette(indices: indices, centroidCount: centroids.count, bitWidth: bitWidth,
                                            allowedBitWidths: Self.bitWidths, bias: bias, outputCount: outputCount,
                                            inputCount: inputCount)
        self.outputCount = outputCount
        self.inputCount = inputCount
        self.bitWidth = bitWidth
        self.centroids = centroids
        self.bias = bias
        let count = shrink_palette_wide_packed_count(outputCount, inputCount)
        let packed = PackedBuffer(byteCount: count * MemoryLayout<UInt16>.stride)
        if count > 0 {
            let status = indices.withUnsafeBufferPointer { i in
                shrink_palette_wide_pack_indices(outputCount, inputCount, i.baseAddress, inputCount, centroids.count,
                                                 packed.base.assumingMemoryBound(to: UInt16.self))
            }
            precondition(status == 0, "indices were validated before packing")
        }
        self.packed = packed
    }

    /// y = x · Wᵀ + bias for `rows` rows of `input` ([rows, inputCount]) into `output`
    /// ([rows, outputCount], not overlapping `input`) on the active CPU path, on up to
    /// `threadCount` threads (each computes whole 64-channel panels; results do not depend on the
    /// thread count).
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, threadCount: Int = 1) {
        guard rows > 0, outputCount > 0 else { return }
        let indices = packed.pointer(as: UInt16.self)
        let run = { (biasPointer: UnsafePointer<Float>?) in
            centroids.withUnsafeBufferPointer { c in
                PanelSplit.forEachColumnRange(outputCount: outputCount, panelColumns: Int(SHRINK_PALETTE_WIDE_PANEL_COLUMNS),
                                             threadCount: threadCount) { columns in
                    let start = columns.lowerBound
                    // A panel holds inputCount indices per column: columns from `start` on begin
                    // start · inputCount indices in.
                    let status = shrink_palette_wide_linear(rows, columns.count, inputCount, input, max(inputCount, 1),
                                                            indices + start * inputCount, c.baseAddress, c.count,
                                                            biasPointer.map { $0 + start }, output + start, outputCount)
                    precondition(status == 0, "centroids were validated at packing")
                }
            }
        }
        if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
    }
}
