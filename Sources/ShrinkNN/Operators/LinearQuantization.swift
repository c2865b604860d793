/// The scales and zero points of ONNX's linear quantization (`QuantizeLinear`,
/// `DequantizeLinear`): one pair for the whole tensor, or one per slice along `axis`
/// (per-channel). `real = (q − zero_point) · scale`.
///
/// Attributes: `scale` floats (one, or one per slice of `axis`), `zero_point` ints (`[]`: 0;
/// else one, or as many as `scale`), `axis` int (1; negative counts from the end; read only
/// with several scales).
struct LinearQuantization: Hashable, Sendable {
    var scales: [Float]
    var zeroPoints: [Int]
    var axis: Int

    static let declarations = [
        AttributeDeclaration("scale", .floats),
        AttributeDeclaration("zero_point", .ints, default: .ints([])),
        AttributeDeclaration("axis", .int, default: .int(1)),
    ]

    init(scales: [Float], zeroPoints: [Int] = [], axis: Int = 1) {
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.axis = axis
    }

    /// Reads and checks the attributes: scales finite (and nonzero when `nonzeroScales`), zero
    /// points in `zeroPointRange`.
    init(attributes: Attributes, nonzeroScales: Bool, zeroPointRange: ClosedRange<Int>) throws(OperatorError) {
        scales = try attributes.floats("scale")
        zeroPoints = try attributes.ints("zero_point")
        axis = try attributes.int("axis")
        guard !scales.isEmpty else { throw OperatorError("scale needs at least one value") }
        guard scales.allSatisfy({ $0.isFinite && (!nonzeroScales || $0 != 0) }) else {
            throw OperatorError("scale values must be finite\(nonzeroScales ? " and nonzero" : ""), got \(scales)")
        }
        guard zeroPoints.count <= 1 || zeroPoints.count == scales.count else {
            throw OperatorError("\(zeroPoints.count) zero points for \(scales.count) scales (give none, one or \(scales.count))")
        }
        if let bad = zeroPoints.first(where: { !zeroPointRange.contains($0) }) {
            throw OperatorError("zero point \(bad) is outside \(zeroPointRange)")
        }
    }

    var attributes: Attributes { ["scale": .floats(scales), "zero_point": .ints(zeroPoints), "axis": .int(axis)] }

    /// Whether there is one scale per slice of `axis`.
    var isPerAxis: Bool { scales.count > 1 }

    /// Throws unless an input of `shape` has `scales.count` fixed positions on `axis` (per-axis).
    func check(_ shape: ValueShape) throws(OperatorError) {
        guard isPerAxis else { return }
        guard (-shape.rank..<shape.rank).contains(axis) else {
            throw OperatorError("axis \(axis) is outside an input of rank \(shape.rank)")
        }
        let size = shape[axis < 0 ? axis + shape.rank : axis]
        guard size == .fixed(scales.count) else {
            throw OperatorError("\(scales.count) scales for size \(size) on axis \(axis) of \(shape)")
        }
    }

    /// The zero point of slice `slice` as a float.
    func zeroPoint(_ slice: Int) -> Float {
        switch zeroPoints.count {
        case 0: 0
        case 1: Float(zeroPoints[0])
        default: Float(zeroPoints[slice])
        }
    }

    /// Calls `body(slice, range)` for each run of consecutive elements of a tensor of `shape`
    /// that share one scale (the whole tensor when per-tensor).
    func forEachRun(_ shape: [Int], _ body: (Int, Range<Int>) -> Void) {
        let count = shape.reduce(1, *)
        guard isPerAxis else {
            body(0, 0..<count)
            return
        }
        let axis = self.axis < 0 ? self.axis + shape.count : self.axis
        let extent = shape[axis], inner = shape[(axis + 1)...].reduce(1, *), outer = shape[..<axis].reduce(1, *)
        precondition(extent == scales.count, "\(scales.count) scales for size \(extent) on axis \(axis) of \(shape)")
        for outerIndex in 0..<outer {
            for slice in 0..<extent {
                let start = (outerIndex * extent + slice) * inner
                body(slice, start..<(start + inner))
            }
        }
    }

    /// The integer range of 8-bit codes: `−128…127` when signed, else `0…255`.
    static func range(signed: Bool) -> ClosedRange<Int> { signed ? -128...127 : 0...255 }
}
