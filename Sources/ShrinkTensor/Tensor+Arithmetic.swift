extension Tensor {
    /// The element-wise sum of two tensors of the same shape (gradients of a value read by
    /// several nodes are summed this way).
    public func adding(_ other: Tensor) -> Tensor {
        precondition(shape == other.shape, "cannot add tensors of shapes \(shape) and \(other.shape)")
        var result = scalars
        other.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for index in 0..<target.count { target[index] += source[index] }
            }
        }
        return Tensor(shape: shape, scalars: result)
    }
}
