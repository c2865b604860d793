import CShrinkKernels

/// A sparse linear layer's weights in compressed sparse rows (CSR), built at load time for the
/// CSR kernels: row pointers, column indices and fp32 or palettized values (a code per non-zero
/// into a codebook of ≤ 256 centroids).
///
/// The packed copy the kernels read is split into column blocks of at most
/// `maximumBlockColumns` inputs: at batch 1 the kernel gathers x at the columns of the non-zeros,
/// and a whole x row of a wide layer (25,088 floats = 98 KiB for VGG-16's fc6) does not fit the
/// 32 KiB L1 cache, so every gather would be an L2 access. Block by block, the slice of x the
/// gathers touch stays in L1; each block is a CSR matrix of its own (row pointers per block,
/// UInt16 column indices relative to the block's first column), and the kernel adds block b's
/// products to the outputs of blocks 0 ..< b. Layers with at most `maximumBlockColumns` inputs
/// are one block (plain CSR).
public struct SparseLinearWeights: FloatLinearWeights, @unchecked Sendable {
    /// The values of the stored entries.
    public enum Values: Sendable, Equatable {
        /// One fp32 value per non-zero.
        case float([Float])
        /// One code per non-zero into `centroids` (1...256 values).
        case palettized(codes: [UInt8], centroids: [Float])
    }

    /// Output channels (n) and input features (k).
    public let outputCount: Int, inputCount: Int
    /// Entries of output row j are rowPointers[j] ..< rowPointers[j + 1]. // [outputCount + 1]
    public let rowPointers: [Int32]
    /// Column (input feature) of each entry. // [nonZeroCount]
    public let columns: [Int]
    /// Value of each entry.
    public let values: Values
    /// Bias of each output channel, if any. // [outputCount]
    public let bias: [Float]?
    /// 64-byte aligned copies the kernel reads, block by block: row pointers (Int32,
    /// [blockCount, outputCount + 1], absolute positions in the arrays below), column indices
    /// relative to the block's first column (UInt16) and values (fp32) or codes (UInt8), ordered
    /// by block, then row, then as given.
    let packedRowPointers: PackedBuffer
    let packedColumns: PackedBuffer
    let packedValues: PackedBuffer
    /// Inputs per column block (the last block may be narrower) and the number of blocks.
    let blockColumns: Int, blockCount: Int

    /// The widest column block: 4096 inputs, a 16 KiB slice of an x row, half of a 32 KiB L1
    /// data cache (the other half holds the streamed indices and values).
    public static let maximumBlockColumns = 4096

    /// Stored entries.
    public var nonZeroCount: Int { columns.count }

    /// Builds the CSR form from row pointers, columns and values (validated).
    public init(rowPointers: [Int32], columns: [Int], values: Values, bias: [Float]? = nil,
                outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("rowPointers", rowPointers, outputCount + 1)
        guard rowPointers.first == 0, rowPointers.last.map(Int.init) == columns.count,
              zip(rowPointers, rowPointers.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw .invalidValue(name: "rowPointers end", value: Int(rowPointers.last ?? -1),
                                allowed: "non-decreasing from 0 to \(columns.count)")
        }
        if let bad = columns.first(where: { !(0..<inputCount).contains($0) }) {
            throw .invalidValue(name: "column", value: bad, allowed: "0..<\(inputCount)")
        }
        switch values {
        case let .float(array):
            try RuntimeKernelError.check("values", array, columns.count)
        case let .palettized(codes, centroids):
            try RuntimeKernelError.check("codes", codes, columns.count)
            guard (1...256).contains(centroids.count) else {
                throw .invalidValue(name: "centroid count", value: centroids.count, allowed: "1...256")
            }
            if let bad = codes.first(where: { Int($0) >= centroids.count }) {
                throw .invalidValue(name: "code", value: Int(bad), allowed: "0..<\(centroids.count)")
            }
        }
        if let bias { try RuntimeKernelError.check("bias", bias, outputCount) }
        self.outputCount = outputCount
        self.inputCount = inputCount
        self.rowPointers = rowPointers
        self.columns = columns
        self.values = values
        self.bias = bias
        let blocks = max(1, (inputCount + Self.maximumBlockColumns - 1) / Self.maximumBlockColumns)
        blockCount = blocks
        blockColumns = max(1, (inputCount + blocks - 1) / blocks)
        // Entry order of the packed copy: block-major, then row, then the caller's order
        // (a counting sort: block pointers from the counts, then each entry to its slot).
        let width = blockColumns
        var blockPointers = [Int32](repeating: 0, count: blocks * (outputCount + 1))
        var slots = [Int](repeating: 0, count: blocks * outputCount)
        for row in 0..<outputCount {
            for entry in Int(rowPointers[row])..<Int(rowPointers[row + 1]) { slots[columns[entry] / width * outputCount + row] += 1 }
        }
        var position = 0
        for block in 0..<blocks {
            for row in 0..<outputCount {
                blockPointers[block * (outputCount + 1) + row] = Int32(position)
                let count = slots[block * outputCount + row]
                slots[block * outputCount + row] = position
                position += count
            }
            blockPointers[block * (outputCount + 1) + outputCount] = Int32(position)
        }
        var order = [Int](repeating: 0, count: columns.count)
        for row in 0..<outputCount {
            for entry in Int(rowPointers[row])..<Int(rowPointers[row + 1]) {
                let slot = columns[entry] / width * outputCount + row
                order[slots[slot]] = entry
                slots[slot] += 1
            }
        }
        packedRowPointers = PackedBuffer(copying: blockPointers)
        packedColumns = PackedBuffer(copying: order.map { UInt16(columns[$0] % width) })
        switch values {
        case let .float(array): packedValues = PackedBuffer(copying: order.map { array[$0] })
        case let .palettized(codes, _): packedValues = PackedBuffer(copying: order.map { codes[$0] })
        }
    }

    /// Keeps the non-zero elements of dense `weights` ([outputCount, inputCount]), e.g. a pruned
    /// (masked) weight matrix.
    public init(dense weights: [Float], bias: [Float]? = nil, outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("weights", weights, outputCount * inputCount)
        var rowPointers: [Int32] = [0], columns: [Int] = [], values: [Float] = []
        for row in 0..<outputCount {
            for column in 0..<inputCount where weights[row * inputCount + column] != 0 {
                columns.append(column)
                values.append(weights[row * inputCount + column])
            }
            rowPointers.append(Int32(columns.count))
        }
        try self.init(rowPointers: rowPointers, columns: columns, values: .float(values), bias: bias,
                      outputCount: outputCount, inputCount: inputCount)
    }

    /// Decodes a relative-index sparse stream (docs/ENCODINGS.md): entry e sits at flat position
    /// p_e = p_{e−1} + 1 + gaps[e] (p_{−1} = −1) of the row-major [outputCount, inputCount] matrix
    /// and has code codes[e] into `centroids`. Entries whose centroid is 0 (fillers, pruned
    /// weights) are dropped.
    public init(relativeGaps gaps: [Int], codes: [UInt8], centroids: [Float], bias: [Float]? = nil,
                outputCount: Int, inputCount: Int) throws(RuntimeKernelError) {
        try RuntimeKernelError.check("codes", codes, gaps.count)
        guard (1...256).contains(centroids.count) else {
            throw .invalidValue(name: "centroid count", value: centroids.count, allowed: "1...256")
        }
        var rowPointers = [Int32](repeating: 0, count: outputCount + 1)
        var columns: [Int] = [], kept: [UInt8] = []
        var position = -1
        for (gap, code) in zip(gaps, codes) {
            guard gap >= 0 else { throw .invalidValue(name: "gap", value: gap, allowed: "≥ 0") }
            position += 1 + gap
            guard position < outputCount * inputCount else {
                throw .invalidValue(name: "position", value: position, allowed: "0..<\(outputCount * inputCount)")
            }
            guard Int(code) < centroids.count else {
                throw .invalidValue(name: "code", value: Int(code), allowed: "0..<\(centroids.count)")
            }
            if centroids[Int(code)] == 0 { continue }
            rowPointers[position / inputCount + 1] += 1
            columns.append(position % inputCount)
            kept.append(code)
        }
        for row in 0..<outputCount { rowPointers[row + 1] += rowPointers[row] }
        try self.init(rowPointers: rowPointers, columns: columns, values: .palettized(codes: kept, centroids: centroids),
                      bias: bias, outputCount: outputCount, inputCount: inputCount)
    }

    /// y = x · Wᵀ + bias for `rows` rows of `input` ([rows, inputCount]) into `output`
    /// ([rows, outputCount]) on the active CPU path, on up to `threadCount` threads (each takes a
    /// contiguous range of output rows; results do not depend on the thread count).
    public func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, threadCount: Int = 1) {
        guard rows > 0, outputCount > 0 else { return }
        if threadCount > 1 {
            PanelSplit.forEachColumnRange(outputCount: outputCount, panelColumns: 16, threadCount: threadCount) { columns in
                apply(input: input, rows: rows, output: output, columns: columns)
            }
            return
        }
        apply(input: input, rows: rows, output: output, columns: 0..<outputCount)
    }

    /// The CSR kernel on output channels `columns` only (row pointers stay absolute), over all
    /// column blocks in one call.
    private func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, columns range: Range<Int>) {
        let start = range.lowerBound, stride = outputCount + 1
        withBias { biasPointer in
            withCodebook { table, centroidCount in
                let status = shrink_csr_linear_blocked(
                    rows, range.count, inputCount, input, max(inputCount, 1), blockColumns,
                    packedRowPointers.pointer(as: Int32.self) + start, stride, packedColumns.pointer(as: UInt16.self),
                    table == nil ? packedValues.pointer(as: Float.self) : nil,
                    table == nil ? nil : packedValues.pointer(as: UInt8.self), table, centroidCount,
                    biasPointer.map { $0 + start }, output + start, outputCount)
                precondition(status == 0, "CSR arguments were validated at construction")
            }
        }
    }

    /// yᵀ = W · xᵀ + bias with the activations transposed (a convolution's im2col and output
    /// planes): `input` holds xᵀ, `inputCount` rows of `columns` values `inputStride` apart;
    /// `output` gets yᵀ, `outputCount` rows of `columns` values `outputStride` apart. On up to
    /// `threadCount` threads, each a contiguous range of output rows (the results do not depend on
    /// the thread count). `applyTransposedReference` is the scalar twin.
    public func applyTransposed(input: UnsafePointer<Float>, columns: Int, inputStride: Int,
                                output: UnsafeMutablePointer<Float>, outputStride: Int, threadCount: Int = 1) {
        guard columns > 0, outputCount > 0 else { return }
        precondition(inputStride >= columns && outputStride >= columns, "strides must cover the columns")
        let stride = outputCount + 1
        func rows(_ range: Range<Int>) {
            let start = range.lowerBound
            withBias { biasPointer in
                withCodebook { table, centroidCount in
                    let status = shrink_csr_linear_transposed(
                        columns, range.count, inputCount, input, inputStride, blockColumns,
                        packedRowPointers.pointer(as: Int32.self) + start, stride, packedColumns.pointer(as: UInt16.self),
                        table == nil ? packedValues.pointer(as: Float.self) : nil,
                        table == nil ? nil : packedValues.pointer(as: UInt8.self), table, centroidCount,
                        biasPointer.map { $0 + start }, output + start * outputStride, outputStride)
                    precondition(status == 0, "CSR arguments were validated at construction")
                }
            }
        }
        if threadCount > 1 {
            PanelSplit.forEachColumnRange(outputCount: outputCount, panelColumns: 1, threadCount: threadCount, rows)
        } else {
            rows(0..<outputCount)
        }
    }

    /// The scalar twin of `applyTransposed`: per output row, the products in entry order from 0,
    /// then the bias.
    public func applyTransposedReference(input: UnsafePointer<Float>, columns: Int, inputStride: Int,
                                         output: UnsafeMutablePointer<Float>, outputStride: Int) {
        for row in 0..<outputCount {
            let target = output + row * outputStride
            for column in 0..<columns { target[column] = 0 }
            for entry in Int(rowPointers[row])..<Int(rowPointers[row + 1]) {
                let value: Float = switch values {
                case let .float(array): array[entry]
                case let .palettized(codes, centroids): centroids[Int(codes[entry])]
                }
                let source = input + self.columns[entry] * inputStride
                for column in 0..<columns { target[column] += value * source[column] }
            }
            if let bias { for column in 0..<columns { target[column] += bias[row] } }
        }
    }

    /// The codebook and its size for palettized values; nil and 0 for fp32 values.
    private func withCodebook<Result>(_ body: (UnsafePointer<Float>?, Int) -> Result) -> Result {
        guard case let .palettized(_, centroids) = values else { return body(nil, 0) }
        return centroids.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
    }

    private func withBias<Result>(_ body: (UnsafePointer<Float>?) -> Result) -> Result {
        guard let bias else { return body(nil) }
        return bias.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
