import CShrinkKernels

/// Palettized weights of a linear layer (W[j][p] = centroids[index[j][p]]), with the indices
/// pre-packed for the look-up kernels: 4-bit nibbles for 1–4-bit palettes, bytes for 5–8 bits.
/// The weights are never expanded: the kernel looks centroids up in registers.
public struct PaletteLinearWeights: FloatLinearWeights, @unchecked Sendable {
    /// Output channels (n) and input features (k).
    public let outputCount: Int, inputCount: Int
    /// Index width in bits (1...8).
    public let bitWidth: Int
    /// The palette (at most 2^bitWidth values).
    public let centroids: [Float]
    /// Bias of each output channel, if any. // [outputCount]
    public let bias: [Float]?
    let packed: PackedBuffer

    /// Packs `indices` ([outputCount, inputCount], one byte per weight, each < centroids.count).
    public init(indices: [UInt8], centroids: [Float], bitWidth: Int, bias: [Float]? = nil,
                outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.checkPalette(indices: indices, centroidCount: centroids.count, bitWidth: bitWidth,
                                            allowedBitWidths: 1...8, bias: bias, outputCount: outputCount,
                                            inputCount: inputCount)
        self.outputCount = outputCount
        self.inputCount = inputCount
        self.bitWidth = bitWidth
        self.centroids = centroids
        self.bias = bias
        let packed = PackedBuffer(byteCount: shrink_palette_packed_size(Int32(bitWidth), outputCount, inputCount))
        if outputCount > 0, inputCount > 0 {
            let status = indices.withUnsafeBufferPointer { i in
                shrink_palette_pack_indices(Int32(bitWidth), outputCount, inputCount, i.baseAddress, inputCount,
                                            packed.base.assumingMemoryBound(to: UInt8.self))
            }
            precondition(status == 0, "indices were validated before packing")
        }
        self.packed = packed
    }

    /// y = x · Wᵀ + bias for `rows` rows of `input` ([rows, inputCount]) into `output`
    /// ([rows, outputCount]) on the active CPU path, on up to `threadCount` threads (each computes
    /// whole 64-channel panels; results do not depend on the thread count).
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, threadCount: Int = 1) {
        guard rows > 0, outputCount > 0 else { return }
        let indices = packed.base.assumingMemoryBound(to: UInt8.self)
        // Bytes per output column of the packed panels: one 32-bit word per step of 8 depths
        // (nibbles) or 4 depths (bytes).
        let stepsPerPanel = 4 * (bitWidth <= 4 ? (inputCount + 7) / 8 : (inputCount + 3) / 4)
        let run = { (biasPointer: UnsafePointer<Float>?) in
            centroids.withUnsafeBufferPointer { c in
                PanelSplit.forEachColumnRange(outputCount: outputCount, panelColumns: Int(SHRINK_PALETTE_PANEL_COLUMNS),
                                             threadCount: threadCount) { columns in
                    let start = columns.lowerBound
                    let status = shrink_palette_linear(Int32(bitWidth), rows, columns.count, inputCount, input, max(inputCount, 1),
                                                       indices + start * stepsPerPanel, c.baseAddress, c.count,
                                                       biasPointer.map { $0 + start }, output + start, outputCount)
                    precondition(status == 0, "bit width and centroids were validated at packing")
                }
            }
        }
        if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
    }
}
