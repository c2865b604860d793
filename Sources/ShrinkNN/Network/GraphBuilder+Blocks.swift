extension GraphBuilder {
    /// A convolution without bias (`name`) followed by BatchNorm (`<name>_bn`): returns the
    /// normalized value. `kernel`×`kernel` window, padding `kernel / 2` (same size at stride 1).
    @discardableResult
    public mutating func convolutionWithBatchNormalization(
        _ name: String, _ input: String, inputChannels: Int, outputChannels: Int, kernel: Int = 3, stride: Int = 1,
        groups: Int = 1
    ) -> String {
        let window = WindowGeometry(square: kernel, stride: stride, padding: kernel / 2)
        let convolution = add(name, Convolution2DOperator(inputChannels: inputChannels, outputChannels: outputChannels,
                                                          window: window, groups: groups, hasBias: false), input)
        return add("\(name)_bn", BatchNormalizationOperator(channels: outputChannels), convolution)
    }

    /// A basic residual block (He et al.): `<name>_conv1` 3×3 + BatchNorm + ReLU,
    /// `<name>_conv2` 3×3 + BatchNorm, `<name>_add` with `input`, `<name>_relu2`. Returns the
    /// block's output, `channels` wide like its input.
    @discardableResult
    public mutating func residualBlock(_ name: String, _ input: String, channels: Int) -> String {
        let first = add("\(name)_relu1", ReLUOperator(),
                        convolutionWithBatchNormalization("\(name)_conv1", input, inputChannels: channels, outputChannels: channels))
        let second = convolutionWithBatchNormalization("\(name)_conv2", first, inputChannels: channels, outputChannels: channels)
        return add("\(name)_relu2", ReLUOperator(), add("\(name)_add", AdditionOperator(), second, input))
    }

    /// A basic residual block that may change width and resolution (He et al., shortcut option
    /// B): `<name>_conv1` 3×3 at `stride` + BatchNorm + ReLU, `<name>_conv2` 3×3 + BatchNorm,
    /// and when the shape changes a `<name>_shortcut` 1×1 convolution at `stride` + BatchNorm on
    /// the input; `<name>_add`, `<name>_relu2`. With the same width and stride 1 it is
    /// `residualBlock(_:_:channels:)`.
    @discardableResult
    public mutating func residualBlock(_ name: String, _ input: String, inputChannels: Int, outputChannels: Int,
                                       stride: Int) -> String {
        guard inputChannels != outputChannels || stride != 1 else { return residualBlock(name, input, channels: inputChannels) }
        let first = add("\(name)_relu1", ReLUOperator(), convolutionWithBatchNormalization(
            "\(name)_conv1", input, inputChannels: inputChannels, outputChannels: outputChannels, stride: stride))
        let second = convolutionWithBatchNormalization("\(name)_conv2", first, inputChannels: outputChannels, outputChannels: outputChannels)
        let shortcut = convolutionWithBatchNormalization("\(name)_shortcut", input, inputChannels: inputChannels,
                                                         outputChannels: outputChannels, kernel: 1, stride: stride)
        return add("\(name)_relu2", ReLUOperator(), add("\(name)_add", AdditionOperator(), second, shortcut))
    }

    /// MobileNetV2's inverted residual block (Sandler et al.): `<name>_expand` 1×1 to
    /// `inputChannels · expansion` + BatchNorm + ReLU6 (absent when `expansion` is 1),
    /// `<name>_depthwise` 3×3 at `stride` (one group per channel) + BatchNorm + ReLU6,
    /// `<name>_project` 1×1 to `outputChannels` + BatchNorm with no activation (the linear
    /// bottleneck), and `<name>_add` with the input when stride is 1 and the width is kept.
    @discardableResult
    public mutating func invertedResidualBlock(_ name: String, _ input: String, inputChannels: Int, outputChannels: Int,
                                               expansion: Int, stride: Int) -> String {
        let hidden = inputChannels * expansion
        var x = input
        if expansion != 1 {
            x = add("\(name)_expand_relu6", ReLU6Operator(), convolutionWithBatchNormalization(
                "\(name)_expand", x, inputChannels: inputChannels, outputChannels: hidden, kernel: 1))
        }
        x = add("\(name)_depthwise_relu6", ReLU6Operator(), convolutionWithBatchNormalization(
            "\(name)_depthwise", x, inputChannels: hidden, outputChannels: hidden, stride: stride, groups: hidden))
        x = convolutionWithBatchNormalization("\(name)_project", x, inputChannels: hidden, outputChannels: outputChannels, kernel: 1)
        return stride == 1 && inputChannels == outputChannels ? add("\(name)_add", AdditionOperator(), x, input) : x
    }
}
