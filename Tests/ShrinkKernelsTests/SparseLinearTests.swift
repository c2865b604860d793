import CShrinkKernels
import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The CSR kernel (fp32 and palettized values; 16- and 32-bit columns) against its Double twin on
/// every CPU path, and the CSR builders against the dense matrices they encode.
/// Tolerance: 1e-5 · (Σ_e |value_e · x_column(e)| + |bias_j|), as the fp32 GEMM tests.
@Suite(.serialized)
struct SparseLinearTests {
    static let shapes: [(Int, Int, Int)] = [(1, 1, 1), (1, 7, 33), (7, 33, 1), (1, 1000, 37), (5, 65, 130), (6, 130, 1003), (2, 3, 70_000), (8, 9, 33), (33, 17, 200), (70, 20, 300)]

    static func check(_ weights: SparseLinearWeights, rows: Int, generator: inout SeededRandomNumberGenerator, label: String) throws {
        let input = StoredMatrix.randomValues(count: rows * weights.inputCount, generator: &generator)
        let expected = ReferenceKernels.sparseLinear(input, rows: rows, weights: weights)
        let magnitudes = ReferenceKernels.sparseLinear(input.map(abs), rows: rows, weights: try absolute(weights))
        for path in CPUPath.available {
            let output = try CPUPath.withPath(path) { try weights.apply(input, rows: rows) }
            var worst = 0.0
            for index in output.indices {
                worst = max(worst, Double(abs(output[index] - expected[index])) / (Double(magnitudes[index]) + 1e-30))
            }
            #expect(worst <= 1e-5, "\(label) on \(path): \(worst)")
        }
    }

    static func absolute(_ weights: SparseLinearWeights) throws -> SparseLinearWeights {
        let values: SparseLinearWeights.Values
        switch weights.values {
        case let .float(array): values = .float(array.map(abs))
        case let .palettized(codes, centroids): values = .palettized(codes: codes, centroids: centroids.map(abs))
        }
        return try SparseLinearWeights(rowPointers: weights.rowPointers, columns: weights.columns, values: values,
                                       bias: weights.bias?.map(abs), outputCount: weights.outputCount, inputCount: weights.inputCount)
    }

    @Test func floatValuesMatchTwinAndDenseProduct() throws {
        for (rows, outputs, inputs) in Self.shapes {
            var generator = SeededRandomNumberGenerator(seed: UInt64(rows * 131 + outputs * 17 + inputs))
            // ~10 % density, with one empty row.
            var dense = StoredMatrix.randomValues(count: outputs * inputs, generator: &generator).map { abs($0) < 0.1 ? $0 : 0 }
            for p in 0..<inputs { dense[p] = 0 }
            let bias = StoredMatrix.randomValues(count: outputs, generator: &generator)
            let weights = try SparseLinearWeights(dense: dense, bias: bias, outputCount: outputs, inputCount: inputs)
            #expect(weights.nonZeroCount == dense.filter { $0 != 0 }.count)
            try Self.check(weights, rows: rows, generator: &generator, label: "float \(rows)×\(outputs)×\(inputs)")
            // The CSR twin equals the dense product it encodes.
            let input = StoredMatrix.randomValues(count: rows * inputs, generator: &generator)
            let sparse = ReferenceKernels.sparseLinear(input, rows: rows, weights: weights)
            for i in 0..<rows {
                for j in 0..<outputs {
                    var sum = Double(bias[j])
                    for p in 0..<inputs { sum += Double(input[i * inputs + p]) * Double(dense[j * inputs + p]) }
                    #expect(abs(Double(sparse[i * outputs + j]) - sum) <= 1e-5 * (abs(sum) + 1))
                }
            }
        }
    }

    @Test(arguments: [4, 16, 32, 33, 64, 100, 128, 200])
    func palettizedValuesFromRelativeIndicesMatchTwin(centroidCount: Int) throws {
        for (rows, outputs, inputs) in Self.shapes {
            var generator = SeededRandomNumberGenerator(seed: UInt64(centroidCount * 7 + rows * 131 + outputs * 17 + inputs))
            // Centroid 0 is the zero code (fillers); others are non-zero.
            var centroids = StoredMatrix.randomValues(count: centroidCount, generator: &generator).map { $0 == 0 ? 0.5 : $0 }
            centroids[0] = 0
            // Dense codes at ~8 % density, then the relative-index stream with 4-bit gaps and fillers.
            var denseCodes = [UInt8](repeating: 0, count: outputs * inputs)
            for index in denseCodes.indices where generator.next() % 12 == 0 {
                denseCodes[index] = UInt8(1 + Int(generator.next() % UInt64(centroidCount - 1)))
            }
            var gaps: [Int] = [], codes: [UInt8] = []
            var run = 0
            for code in denseCodes {
                if code == 0 { run += 1; continue }
                while run >= 16 { gaps.append(15); codes.append(0); run -= 16 }
                gaps.append(run); codes.append(code); run = 0
            }
            let weights = try SparseLinearWeights(relativeGaps: gaps, codes: codes, centroids: centroids,
                                                  outputCount: outputs, inputCount: inputs)
            #expect(weights.nonZeroCount == denseCodes.filter { $0 != 0 }.count)
            // Decoding puts every code back at its dense position.
            var decoded = [UInt8](repeating: 0, count: outputs * inputs)
            if case let .palettized(keptCodes, _) = weights.values {
                for row in 0..<outputs {
                    for entry in Int(weights.rowPointers[row])..<Int(weights.rowPointers[row + 1]) {
                        decoded[row * inputs + weights.columns[entry]] = keptCodes[entry]
                    }
                }
            }
            #expect(decoded == denseCodes)
            try Self.check(weights, rows: rows, generator: &generator, label: "\(centroidCount) centroids \(rows)×\(outputs)×\(inputs)")
        }
    }

    /// Rows of 0, 1, 15, 16, 17, 31, 32, 33 and 60 non-zeros (the 16-wide steps' masked tails), 19
    /// outputs (a partial group of 16), fp32 and palettized values (4 to 200 centroids), 1 to 40 rows of x.
    @Test func rowLengthsAroundTheVectorWidth() throws {
        let lengths = [0, 1, 15, 16, 17, 31, 32, 33, 60, 0, 16, 1, 17, 15, 33, 60, 31, 32, 2]
        let inputs = 100
        var generator = SeededRandomNumberGenerator(seed: 2026)
        var rowPointers: [Int32] = [0], columns: [Int] = []
        for length in lengths {
            var chosen = Set<Int>()
            while chosen.count < length { chosen.insert(Int(generator.next() % UInt64(inputs))) }
            columns += chosen.sorted()
            rowPointers.append(Int32(columns.count))
        }
        let bias = StoredMatrix.randomValues(count: lengths.count, generator: &generator)
        let floats = StoredMatrix.randomValues(count: columns.count, generator: &generator)
        var cases: [(SparseLinearWeights.Values, String)] = [(.float(floats), "float")]
        for centroidCount in [4, 16, 32, 50, 64, 65, 128, 200] {
            let centroids = StoredMatrix.randomValues(count: centroidCount, generator: &generator)
            let codes = columns.map { _ in UInt8(generator.next() % UInt64(centroidCount)) }
            cases.append((.palettized(codes: codes, centroids: centroids), "\(centroidCount) centroids"))
        }
        for (values, label) in cases {
            let weights = try SparseLinearWeights(rowPointers: rowPointers, columns: columns, values: values, bias: bias,
                                                  outputCount: lengths.count, inputCount: inputs)
            for rows in [1, 2, 3, 4, 5, 7, 9, 20, 40] {
                try Self.check(weights, rows: rows, generator: &generator, label: "row lengths, \(label), \(rows) rows")
            }
        }
    }

    /// Layers wider than `maximumBlockColumns` are packed in column blocks (row pointers per
    /// block, relative UInt16 columns, entries block-major); rows whose columns are unsorted and
    /// cross blocks, empty rows and blocks, fp32 and palettized values, 1 to 5 rows of x.
    @Test func columnBlocksOfWideLayersMatchTwin() throws {
        let inputs = 2 * SparseLinearWeights.maximumBlockColumns + 1000 // 3 blocks of 3,064
        let outputs = 21
        var generator = SeededRandomNumberGenerator(seed: 77)
        var rowPointers: [Int32] = [0], columns: [Int] = []
        for row in 0..<outputs {
            // Row 3 is empty; row 5 only touches the last block; the others ~2 % density, shuffled.
            let length = row == 3 ? 0 : Int(generator.next() % 300)
            var chosen = Set<Int>()
            while chosen.count < length {
                let column = Int(generator.next() % UInt64(inputs))
                chosen.insert(row == 5 ? inputs - 1 - column % 500 : column)
            }
            columns += chosen.shuffled(using: &generator)
            rowPointers.append(Int32(columns.count))
        }
        let bias = StoredMatrix.randomValues(count: outputs, generator: &generator)
        let floats = StoredMatrix.randomValues(count: columns.count, generator: &generator)
        let centroids = StoredMatrix.randomValues(count: 32, generator: &generator)
        let codes = columns.map { _ in UInt8(generator.next() % 32) }
        for (values, label) in [(SparseLinearWeights.Values.float(floats), "float"), (.palettized(codes: codes, centroids: centroids), "palette")] {
            let weights = try SparseLinearWeights(rowPointers: rowPointers, columns: columns, values: values, bias: bias,
                                                  outputCount: outputs, inputCount: inputs)
            #expect(weights.blockCount == 3 && weights.blockColumns == 3064)
            // Block b's row j holds exactly row j's entries with columns in block b.
            let pointers = weights.packedRowPointers.pointer(as: Int32.self)
            let relative = weights.packedColumns.pointer(as: UInt16.self)
            for block in 0..<3 {
                for row in 0..<outputs {
                    let start = Int(pointers[block * (outputs + 1) + row]), end = Int(pointers[block * (outputs + 1) + row + 1])
                    let packed = (start..<end).map { block * 3064 + Int(relative[$0]) }
                    let original = (Int(rowPointers[row])..<Int(rowPointers[row + 1])).map { columns[$0] }
                        .filter { $0 / 3064 == block }
                    #expect(packed == original, "\(label) block \(block) row \(row)")
                }
            }
            for rows in [1, 2, 3, 5] {
                try Self.check(weights, rows: rows, generator: &generator, label: "blocks, \(label), \(rows) rows")
            }
        }
    }

    /// The C kernel's 32-bit column indices (not used by `SparseLinearWeights`, whose blocks
    /// always fit 16 bits) and its accumulate mode, against the twin.
    @Test func wideColumnIndicesAndAccumulationInTheCKernel() throws {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let dense = StoredMatrix.randomValues(count: 13 * 300, generator: &generator).map { abs($0) < 0.2 ? $0 : 0 }
        let weights = try SparseLinearWeights(dense: dense, outputCount: 13, inputCount: 300)
        let values: [Float]
        if case let .float(array) = weights.values { values = array } else { values = [] }
        for rows in [1, 2, 4] {
            let input = StoredMatrix.randomValues(count: rows * 300, generator: &generator)
            let expected = ReferenceKernels.sparseLinear(input, rows: rows, weights: weights)
            for path in CPUPath.available {
                // y starts at 1: accumulate adds the products to it.
                var output = [Float](repeating: 1, count: rows * 13)
                let wide = weights.columns.map { UInt32($0) }
                let status = CPUPath.withPath(path) {
                    shrink_csr_linear(rows, 13, 300, input, 300, weights.rowPointers, wide, 4, values, nil, nil, 0,
                                      nil, 1, &output, 13)
                }
                #expect(status == 0)
                for index in output.indices {
                    #expect(abs(output[index] - 1 - expected[index]) <= 1e-4, "\(path), \(rows) rows, \(index)")
                }
            }
        }
    }

    /// `applyTransposed` (yᵀ = W · xᵀ, the convolutions' form) against its scalar twin and against
    /// `apply` on the transposed matrices: fp32 and palettized values, one and several column
    /// blocks, strides wider than the columns, one and two threads.
    @Test(arguments: [(1, 1, 1), (7, 33, 1), (64, 16, 144), (257, 17, 300), (5, 3, 9000), (130, 4, 9000)])
    func transposedProductMatchesTwinAndRowMajorKernel(shape: (Int, Int, Int)) throws {
        let (columns, outputs, inputs) = shape
        var generator = SeededRandomNumberGenerator(seed: UInt64(columns * 7 + outputs * 131 + inputs))
        let dense = StoredMatrix.randomValues(count: outputs * inputs, generator: &generator).map { abs($0) < 0.15 ? $0 : 0 }
        let bias = StoredMatrix.randomValues(count: outputs, generator: &generator)
        let floatWeights = try SparseLinearWeights(dense: dense, bias: bias, outputCount: outputs, inputCount: inputs)
        let centroids = (0..<13).map { Float($0) * 0.25 - 1.5 }
        let codes = floatWeights.columns.indices.map { UInt8($0 % centroids.count) }
        let palettized = try SparseLinearWeights(
            rowPointers: floatWeights.rowPointers, columns: floatWeights.columns,
            values: .palettized(codes: codes, centroids: centroids), bias: nil, outputCount: outputs, inputCount: inputs)
        let (inputStride, outputStride) = (columns + 3, columns + 5)
        let transposedInput = StoredMatrix.randomValues(count: inputs * inputStride, generator: &generator)
        // The same activations row-major, x[columns × inputs], for `apply`.
        var rowMajor = [Float](repeating: 0, count: columns * inputs)
        for p in 0..<inputs { for i in 0..<columns { rowMajor[i * inputs + p] = transposedInput[p * inputStride + i] } }
        for (weights, label) in [(floatWeights, "fp32"), (palettized, "palettized")] {
            let expected = try weights.apply(rowMajor, rows: columns)
            let magnitudes = ReferenceKernels.sparseLinear(rowMajor.map(abs), rows: columns, weights: try Self.absolute(weights))
            var reference = [Float](repeating: .nan, count: outputs * outputStride)
            transposedInput.withUnsafeBufferPointer { x in
                reference.withUnsafeMutableBufferPointer { y in
                    weights.applyTransposedReference(input: x.baseAddress!, columns: columns, inputStride: inputStride,
                                                     output: y.baseAddress!, outputStride: outputStride)
                }
            }
            for threads in [1, 2] {
                var output = [Float](repeating: .nan, count: outputs * outputStride)
                transposedInput.withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { y in
                        weights.applyTransposed(input: x.baseAddress!, columns: columns, inputStride: inputStride,
                                                output: y.baseAddress!, outputStride: outputStride, threadCount: threads)
                    }
                }
                var worstTwin = 0.0, worstRowMajor = 0.0
                for j in 0..<outputs {
                    for i in 0..<columns {
                        let value = output[j * outputStride + i], scale = Double(magnitudes[i * outputs + j]) + 1e-30
                        worstTwin = max(worstTwin, Double(abs(value - reference[j * outputStride + i])) / scale)
                        worstRowMajor = max(worstRowMajor, Double(abs(value - expected[i * outputs + j])) / scale)
                    }
                    // The padding between rows is never written.
                    #expect(output[(j * outputStride + columns)..<((j + 1) * outputStride)].allSatisfy { $0.isNaN })
                }
                #expect(worstTwin <= 1e-5 && worstRowMajor <= 1e-5,
                        "\(label) \(columns)×\(outputs)×\(inputs), \(threads) threads: twin \(worstTwin), row-major \(worstRowMajor)")
            }
        }
    }

    @Test func rejectsBadColumns() {
        #expect(throws: RuntimeKernelError.invalidValue(name: "column", value: 3, allowed: "0..<3")) {
            try SparseLinearWeights(rowPointers: [0, 1], columns: [3], values: .float([1]), outputCount: 1, inputCount: 3)
        }
    }
}
