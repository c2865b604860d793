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
}
