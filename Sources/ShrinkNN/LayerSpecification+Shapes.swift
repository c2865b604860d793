extension LayerSpecification {
    /// Checks the hyper-parameters alone (positive sizes, rates in range), whatever the input.
    /// - Parameter layerName: the layer's name, used in error messages.
    public func validateHyperparameters(layerName: String) throws(ArchitectureError) {
        func invalid(_ reason: String) -> ArchitectureError {
            .invalidHyperparameter(layer: layerName, reason: reason)
        }
        func checkWindow(kernelSize: Int, stride: Int, padding: Int) throws(ArchitectureError) {
            guard kernelSize > 0 else { throw invalid("kernel size must be positive, got \(kernelSize)") }
            guard stride > 0 else { throw invalid("stride must be positive, got \(stride)") }
            guard padding >= 0 else { throw invalid("padding must not be negative, got \(padding)") }
        }
        switch self {
        case .linear(let inputFeatures, let outputFeatures, _):
            guard inputFeatures > 0, outputFeatures > 0 else {
                throw invalid("feature counts must be positive, got \(inputFeatures)→\(outputFeatures)")
            }
        case .convolution2D(let inputChannels, let outputChannels, let kernelSize, let stride, let padding, _):
            guard inputChannels > 0, outputChannels > 0 else {
                throw invalid("channel counts must be positive, got \(inputChannels)→\(outputChannels)")
            }
            try checkWindow(kernelSize: kernelSize, stride: stride, padding: padding)
        case .maxPool2D(let kernelSize, let stride), .averagePool2D(let kernelSize, let stride):
            try checkWindow(kernelSize: kernelSize, stride: stride, padding: 0)
        case .relu, .flatten:
            break
        case .dropout(let rate):
            guard rate >= 0, rate < 1 else { throw invalid("dropout rate must be in [0, 1), got \(rate)") }
        case .batchNormalization2D(let channels, let epsilon, let momentum):
            guard channels > 0 else { throw invalid("channel count must be positive, got \(channels)") }
            guard epsilon > 0 else { throw invalid("epsilon must be positive, got \(epsilon)") }
            guard momentum >= 0, momentum <= 1 else { throw invalid("momentum must be in [0, 1], got \(momentum)") }
        case .sequential(let layers):
            for layer in layers { try layer.layer.validateHyperparameters(layerName: layer.name) }
        }
    }

    /// The per-sample output shape (no batch dimension) this layer produces from a per-sample
    /// input shape, after checking the hyper-parameters and that the input shape is acceptable.
    ///
    /// Pooling and convolution use floor division, as PyTorch does by default:
    /// `output = (input + 2·padding − kernel) / stride + 1`.
    /// - Parameter layerName: the layer's name, used in error messages.
    public func outputShape(forInputShape inputShape: [Int], layerName: String) throws(ArchitectureError) -> [Int] {
        try validateHyperparameters(layerName: layerName)
        func incompatible(_ expected: String) -> ArchitectureError {
            .incompatibleInputShape(layer: layerName, expected: expected, received: inputShape)
        }
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else { throw incompatible("a non-empty shape of positive sizes") }

        /// The spatial output extent of a sliding window, or nil when the window does not fit.
        func slidingExtent(_ input: Int, kernel: Int, stride: Int, padding: Int) -> Int? {
            let padded = input + 2 * padding
            return padded >= kernel ? (padded - kernel) / stride + 1 : nil
        }
        func slidingWindowOutput(channels: Int, kernelSize: Int, stride: Int, padding: Int) throws(ArchitectureError) -> [Int] {
            guard inputShape.count == 3 else { throw incompatible("a [channels, height, width] input") }
            guard inputShape[0] == channels else { throw incompatible("\(channels) input channels") }
            guard let height = slidingExtent(inputShape[1], kernel: kernelSize, stride: stride, padding: padding),
                  let width = slidingExtent(inputShape[2], kernel: kernelSize, stride: stride, padding: padding)
            else {
                throw incompatible("a spatial size of at least \(kernelSize)×\(kernelSize) after padding \(padding)")
            }
            return [channels, height, width]
        }

        switch self {
        case .linear(let inputFeatures, let outputFeatures, _):
            guard inputShape == [inputFeatures] else { throw incompatible("[\(inputFeatures)] input features") }
            return [outputFeatures]
        case .convolution2D(let inputChannels, let outputChannels, let kernelSize, let stride, let padding, _):
            var shape = try slidingWindowOutput(
                channels: inputChannels, kernelSize: kernelSize, stride: stride, padding: padding)
            shape[0] = outputChannels
            return shape
        case .maxPool2D(let kernelSize, let stride), .averagePool2D(let kernelSize, let stride):
            guard inputShape.count == 3 else { throw incompatible("a [channels, height, width] input") }
            return try slidingWindowOutput(channels: inputShape[0], kernelSize: kernelSize, stride: stride, padding: 0)
        case .relu, .dropout:
            return inputShape
        case .flatten:
            return [inputShape.reduce(1, *)]
        case .batchNormalization2D(let channels, _, _):
            guard inputShape.count == 3, inputShape[0] == channels else {
                throw incompatible("a [\(channels), height, width] input")
            }
            return inputShape
        case .sequential(let layers):
            return try Sequential.outputShape(of: layers, forInputShape: inputShape)
        }
    }
}
