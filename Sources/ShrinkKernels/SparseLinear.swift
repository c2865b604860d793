import CShrinkKernels

/// A sparse linear layer's weights in compressed sparse rows (CSR), built at load time for the
/// CSR kernels: row pointers, column indices (UInt16 when inputCount ≤ 65536, else UInt32) and
/// fp32 or palettized values (a code per non-zero into a codebook of ≤ 256 centroids).
public struct SparseLinearWeights: @unchecked Sendable {
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
    /// 64-byte aligned copies the kernel reads: row pointers (Int32), column indices (UInt16 when
    /// `inputCount` ≤ 65536, else UInt32) and values (fp32) or codes (UInt8).
    let packedRowPointers: PackedBuffer
    let packedColumns: PackedBuffer
    let packedValues: PackedBuffer
    /// Bytes per packed column index: 2 or 4.
    let columnWidth: Int

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
        let narrow = inputCount <= 65536
        columnWidth = narrow ? 2 : 4
        packedColumns = narrow ? PackedBuffer(copying: columns.map { UInt16($0) })
                               : PackedBuffer(copying: columns.map { UInt32($0) })
        packedRowPointers = PackedBuffer(copying: rowPointers)
        switch values {
        case let .float(array): packedValues = PackedBuffer(copying: array)
        case let .palettized(codes, _): packedValues = PackedBuffer(copying: codes)
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

    /// The CSR kernel on output channels `columns` only (row pointers stay absolute).
    private func apply(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, columns range: Range<Int>) {
        let start = range.lowerBound, outputCount = self.outputCount, count = range.count
        let pointers = packedRowPointers.pointer(as: Int32.self)
        let columnPointer = UnsafeRawPointer(packedColumns.base)
        let status = withBias { biasPointer in
            switch values {
            case .float:
                return shrink_csr_linear(rows, count, inputCount, input, max(inputCount, 1), pointers + start,
                                         columnPointer, Int32(columnWidth), packedValues.pointer(as: Float.self),
                                         nil, nil, 0, biasPointer.map { $0 + start }, output + start, outputCount)
            case let .palettized(_, centroids):
                return centroids.withUnsafeBufferPointer { table in
                    shrink_csr_linear(rows, count, inputCount, input, max(inputCount, 1), pointers + start,
                                      columnPointer, Int32(columnWidth), nil, packedValues.pointer(as: UInt8.self),
                                      table.baseAddress, table.count, biasPointer.map { $0 + start }, output + start,
                                      outputCount)
                }
            }
        }
        precondition(status == 0, "CSR arguments were validated at construction")
    }

    /// y = x · Wᵀ + bias as a new array. // [rows, outputCount]
    public func apply(_ input: [Float], rows: Int) throws(RuntimeKernelError) -> [Float] {
        try RuntimeKernelError.check("input", input, rows * inputCount)
        var output = [Float](repeating: 0, count: rows * outputCount)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!) }
        }
        return output
    }

    private func withBias<Result>(_ body: (UnsafePointer<Float>?) -> Result) -> Result {
        guard let bias else { return body(nil) }
        return bias.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
