/// Attribute handling and shape inference shared by the windowed pooling ops.
enum PoolingShapes {
    /// The window attributes (no dilations) plus `ceil_mode` (int 0/1, default 0).
    static var declarations: [AttributeDeclaration] {
        WindowGeometry.declarations(dilations: false) + [AttributeDeclaration("ceil_mode", .int, default: .int(0))]
    }

    /// Reads the window and rejects pads as large as the window along their axis (a window
    /// made only of padding has no image element to pool).
    static func window(attributes: Attributes) throws(OperatorError) -> WindowGeometry {
        let window = try WindowGeometry(attributes: attributes, dilations: false)
        guard window.pads[0] < window.kernel[0], window.pads[2] < window.kernel[0],
              window.pads[1] < window.kernel[1], window.pads[3] < window.kernel[1] else {
            throw OperatorError("pads \(window.pads) must each be smaller than the \(window.kernel[0])×\(window.kernel[1]) window")
        }
        return window
    }

    static func outputShapes(window: WindowGeometry, ceilMode: Bool, input: ValueShape) throws(OperatorError) -> [ValueShape] {
        let sample = try ShapeChecks.sample(input, rank: 3, expected: "[batch, channels, height, width]")
        guard let output = window.outputSize(height: sample[1], width: sample[2], ceilMode: ceilMode) else {
            throw OperatorError(misfit(window, noun: "window", height: sample[1], width: sample[2]))
        }
        return [ValueShape([input[0], .fixed(sample[0]), .fixed(output.height), .fixed(output.width)])]
    }

    /// `the 3×3 kernel (dilated to 5×5) does not fit the 2×7 input padded to 4×9`.
    static func misfit(_ window: WindowGeometry, noun: String, height: Int, width: Int) -> String {
        let paddedHeight = height + window.pads[0] + window.pads[2], paddedWidth = width + window.pads[1] + window.pads[3]
        let padded = paddedHeight == height && paddedWidth == width ? "" : " padded to \(paddedHeight)×\(paddedWidth)"
        return "the \(window.kernelDescription(noun)) does not fit the \(height)×\(width) input\(padded)"
    }
}
