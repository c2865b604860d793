/// A dense, row-major tensor of 32-bit floats with value semantics.
///
/// Shapes follow the NCHW convention for images (`[batch, channels, height, width]`) and
/// `[batch, features]` for matrices. Storage is one contiguous array; copies are cheap until
/// written (copy-on-write through `Array`).
public struct Tensor: Equatable, Sendable {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Float]

    /// Creates a tensor from a shape and its row-major elements.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
        precondition(
            Tensor.elementCount(of: shape) == scalars.count,
            "Tensor shape \(shape) needs \(Tensor.elementCount(of: shape)) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a tensor of the given shape filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: Array(repeating: value, count: Tensor.elementCount(of: shape)))
    }

    /// Creates a tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    /// The number of elements a tensor of `shape` holds.
    @inlinable
    public static func elementCount(of shape: [Int]) -> Int {
        shape.reduce(1, *)
    }

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }
    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// The same elements viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Reads or writes one element by its multi-dimensional index.
    public subscript(_ indices: Int...) -> Float {
        get { scalars[flatIndex(indices)] }
        set { scalars[flatIndex(indices)] = newValue }
    }

    /// The row-major offset of a multi-dimensional index.
    public func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == shape.count, "Index rank \(indices.count) does not match tensor rank \(shape.count)")
        var offset = 0
        for (index, extent) in zip(indices, shape) {
            precondition(index >= 0 && index < extent, "Index \(indices) out of bounds for shape \(shape)")
            offset = offset * extent + index
        }
        return offset
    }

    /// Calls `body` with a pointer to the elements.
    @inlinable
    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a mutable pointer to the elements.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<Result>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> Result
    ) rethrows -> Result {
        try scalars.withUnsafeMutableBufferPointer(body)
    }
}
