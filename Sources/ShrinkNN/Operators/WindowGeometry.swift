/// The sliding-window attributes shared by convolution and pooling: kernel extent, strides,
/// dilations and pads (`[top, left, bottom, right]`, ONNX's begin-then-end order).
public struct WindowGeometry: Hashable, Sendable {
    public var kernel: [Int]
    public var strides: [Int]
    public var dilations: [Int]
    public var pads: [Int]

    public init(kernel: [Int], strides: [Int] = [1, 1], dilations: [Int] = [1, 1], pads: [Int] = [0, 0, 0, 0]) {
        self.kernel = kernel
        self.strides = strides
        self.dilations = dilations
        self.pads = pads
    }

    /// A square window with symmetric padding.
    public init(square kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.init(kernel: [kernel, kernel], strides: [stride, stride], pads: [padding, padding, padding, padding])
    }

    static func declarations(dilations: Bool) -> [AttributeDeclaration] {
        [
            AttributeDeclaration("kernel_shape", .ints),
            AttributeDeclaration("strides", .ints, default: .ints([1, 1])),
            AttributeDeclaration("pads", .ints, default: .ints([0, 0, 0, 0])),
        ] + (dilations ? [AttributeDeclaration("dilations", .ints, default: .ints([1, 1]))] : [])
    }

    init(attributes: Attributes, dilations hasDilations: Bool) throws(OperatorError) {
        kernel = try attributes.ints("kernel_shape")
        strides = try attributes.ints("strides")
        dilations = hasDilations ? try attributes.ints("dilations") : [1, 1]
        pads = try attributes.ints("pads")
        guard kernel.count == 2, kernel.allSatisfy({ $0 > 0 }) else {
            throw OperatorError("kernel_shape must be two positive sizes, got \(kernel)")
        }
        guard strides.count == 2, strides.allSatisfy({ $0 > 0 }) else {
            throw OperatorError("strides must be two positive sizes, got \(strides)")
        }
        guard dilations.count == 2, dilations.allSatisfy({ $0 > 0 }) else {
            throw OperatorError("dilations must be two positive sizes, got \(dilations)")
        }
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 }) else {
            throw OperatorError("pads must be four non-negative sizes [top, left, bottom, right], got \(pads)")
        }
    }

    func attributes(dilations hasDilations: Bool) -> Attributes {
        var result: Attributes = ["kernel_shape": .ints(kernel), "strides": .ints(strides), "pads": .ints(pads)]
        if hasDilations { result["dilations"] = .ints(dilations) }
        return result
    }

    /// The output `[height, width]` for an input `[height, width]`, or nil when the window does
    /// not fit. `ceilMode` rounds the window count up as PyTorch's `ceil_mode` (the last window
    /// must still start inside the input or its leading padding).
    func outputSize(height: Int, width: Int, ceilMode: Bool = false) -> (height: Int, width: Int)? {
        guard let outputHeight = outputExtent(height, axis: 0, ceilMode: ceilMode),
              let outputWidth = outputExtent(width, axis: 1, ceilMode: ceilMode)
        else { return nil }
        return (outputHeight, outputWidth)
    }

    /// The extent the dilated kernel covers along `axis` (0: height, 1: width).
    func span(axis: Int) -> Int { dilations[axis] * (kernel[axis] - 1) + 1 }

    /// The number of window positions along `axis` of an input of extent `input`.
    private func outputExtent(_ input: Int, axis: Int, ceilMode: Bool) -> Int? {
        let span = span(axis: axis), stride = strides[axis]
        let padded = input + pads[axis] + pads[axis + 2]
        guard padded >= span else { return nil }
        var extent = (padded - span + (ceilMode ? stride - 1 : 0)) / stride + 1
        if ceilMode && (extent - 1) * stride >= input + pads[axis] { extent -= 1 }
        return extent
    }

    /// `3×3 kernel` or `3×3 kernel (dilated to 5×5)`, for error messages.
    func kernelDescription(_ noun: String) -> String {
        let base = "\(kernel[0])×\(kernel[1]) \(noun)"
        return dilations == [1, 1] ? base : base + " (dilated to \(span(axis: 0))×\(span(axis: 1)))"
    }

    /// `the 3×3 kernel (dilated to 5×5) does not fit the 2×7 input padded to 4×9`: why a
    /// `height × width` input has no output.
    func misfit(_ noun: String, height: Int, width: Int) -> String {
        let paddedHeight = height + pads[0] + pads[2], paddedWidth = width + pads[1] + pads[3]
        let padded = paddedHeight == height && paddedWidth == width ? "" : " padded to \(paddedHeight)×\(paddedWidth)"
        return "the \(kernelDescription(noun)) does not fit the \(height)×\(width) input\(padded)"
    }

}
