/// Bytes each packed linear-weight type holds for its kernel: what one inference reads.

extension Int8LinearWeights {
    /// Bytes the int8 kernel reads per inference: the packed s8 weights, the per-channel scales
    /// and weight sums, and the bias.
    public var packedByteCount: Int {
        packed.byteCount + 4 * scales.count + 4 * rowSums.count + 4 * (bias?.count ?? 0)
    }
}

extension Float16LinearWeights {
    /// Bytes the fp16 kernel reads per inference: the packed half weights and the bias.
    public var packedByteCount: Int { packed.byteCount + 4 * (bias?.count ?? 0) }
}

extension PaletteLinearWeights {
    /// Bytes the palette kernel reads per inference: the packed indices, the centroids and the bias.
    public var packedByteCount: Int { packed.byteCount + 4 * centroids.count + 4 * (bias?.count ?? 0) }
}

extension SparseLinearWeights {
    /// Bytes the CSR kernel reads per inference: the row pointers of every column block, the
    /// UInt16 column indices, the values (fp32, or one code byte each plus the codebook) and the
    /// bias.
    public var packedByteCount: Int {
        let valueBytes: Int
        switch values {
        case let .float(array): valueBytes = 4 * array.count
        case let .palettized(codes, centroids): valueBytes = codes.count + 4 * centroids.count
        }
        return packedRowPointers.byteCount + packedColumns.byteCount + valueBytes
            + 4 * (bias?.count ?? 0)
    }
}

extension Float32LinearWeights {
    /// Bytes the fp32 kernel reads per inference: the weight panels (with their zero columns up
    /// to a whole panel) and the bias.
    public var packedByteCount: Int { panels.byteCount + 4 * (bias?.count ?? 0) }
}

extension WidePaletteLinearWeights {
    /// Bytes the wide-palette kernel reads per inference: the packed 16-bit indices, the fp32
    /// centroids it gathers from and the bias.
    public var packedByteCount: Int { packed.byteCount + 4 * centroids.count + 4 * (bias?.count ?? 0) }
}

extension SubByteLinearWeights {
    /// Bytes the sub-byte kernel reads per inference: the packed codes, the per-channel scales,
    /// offsets and compensation sums, and the bias.
    public var packedByteCount: Int {
        packed.byteCount + 4 * scales.count + 4 * offsets.count + 4 * compensation.count + 4 * (bias?.count ?? 0)
    }
}
