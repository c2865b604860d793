import ShrinkKernels
import ShrinkTensor

/// A logical matrix stored row-major for a GEMM operand: as is or transposed, with extra
/// padding elements at the end of every stored row (so row strides exceed widths).
struct StoredMatrix {
    /// Logical size (the matrix as the GEMM uses it).
    let rows: Int
    let columns: Int
    let isTransposed: Bool
    let rowStride: Int
    /// The stored elements; padding holds a large sentinel that must never reach a result.
    var storage: [Float]

    /// Stores `values` (row-major, rows × columns) as is or transposed, padding each stored row.
    init(rows: Int, columns: Int, values: [Float], transposed: Bool, padding: Int) {
        precondition(values.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.isTransposed = transposed
        let storedRows = transposed ? columns : rows
        let storedColumns = transposed ? rows : columns
        rowStride = storedColumns + padding
        storage = [Float](repeating: 1e30, count: max(1, storedRows * rowStride))
        for row in 0..<rows {
            for column in 0..<columns {
                let index = transposed ? column * rowStride + row : row * rowStride + column
                storage[index] = values[row * columns + column]
            }
        }
    }

    /// Runs `body` with an operand over the storage.
    func withOperand<Result>(_ body: (MatrixOperand) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBufferPointer { buffer in
            try body(MatrixOperand(buffer.baseAddress!, rowStride: rowStride, transposed: isTransposed))
        }
    }

    /// Uniform values in [-1, 1) from a seeded generator.
    static func randomValues(count: Int, generator: inout SeededRandomNumberGenerator) -> [Float] {
        (0..<count).map { _ in generator.nextUniform() * 2 - 1 }
    }
}
