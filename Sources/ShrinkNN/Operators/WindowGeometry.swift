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
    /// not fit.
    func outputSize(height: Int, width: Int) -> (height: Int, width: Int)? {
        guard let outputHeight = ShapeChecks.slidingExtent(height, kernel: kernel[0], stride: strides[0],
                                                           dilation: dilations[0], padding: pads[0] + pads[2]),
              let outputWidth = ShapeChecks.slidingExtent(width, kernel: kernel[1], stride: strides[1],
                                                          dilation: dilations[1], padding: pads[1] + pads[3])
        else { return nil }
        return (outputHeight, outputWidth)
    }

    /// Square kernel and strides, symmetric padding, no dilation: what the square-window layers
    /// (`Convolution2D`, `MaxPool2D`, `AveragePool2D`) implement.
    var isSquareAndSymmetric: Bool {
        kernel[0] == kernel[1] && strides[0] == strides[1] && dilations == [1, 1] && Set(pads).count == 1
    }
}
