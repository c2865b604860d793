extension ShapeChecks {
    /// `axis` (negative counts from the end, as in ONNX) as an index into a shape of `rank`, or
    /// an error when it is out of range or names the batch axis 0, which ops keep in place.
    static func axis(_ axis: Int, rank: Int) throws(OperatorError) -> Int {
        guard axis >= -rank, axis < rank else {
            throw OperatorError("axis \(axis) is out of range for rank \(rank)")
        }
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved != 0 else { throw OperatorError("axis \(axis) is the batch axis 0; this op keeps the batch in place") }
        return resolved
    }
}
