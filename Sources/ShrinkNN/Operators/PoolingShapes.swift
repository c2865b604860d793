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
            throw OperatorError(window.misfit("window", height: sample[1], width: sample[2]))
        }
        return [ValueShape([input[0], .fixed(sample[0]), .fixed(output.height), .fixed(output.width)])]
    }
}
