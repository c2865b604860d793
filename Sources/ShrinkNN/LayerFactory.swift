import ShrinkTensor

/// Builds layers from their specifications.
public enum LayerFactory {
    /// A freshly initialized layer for `specification`, drawing initial weights (and, for
    /// dropout, the layer's own seed) from `generator`.
    ///
    /// - Parameter inputShape: the per-sample input shape; needed only for `.sequential`
    ///   (it becomes the nested model's input shape), ignored otherwise.
    /// - Throws: `ArchitectureError` for invalid hyper-parameters (or shapes of a nested chain).
    public static func makeLayer(
        _ specification: NamedLayerSpecification, inputShape: [Int]? = nil,
        generator: inout SeededRandomNumberGenerator
    ) throws(ArchitectureError) -> any Layer {
        let name = specification.name
        try specification.layer.validateHyperparameters(layerName: name)
        switch specification.layer {
        case .linear(let inputFeatures, let outputFeatures, let hasBias):
            return Linear(
                name: name, inputFeatures: inputFeatures, outputFeatures: outputFeatures, hasBias: hasBias,
                generator: &generator)
        case .convolution2D(let inputChannels, let outputChannels, let kernelSize, let stride, let padding, let hasBias):
            return Convolution2D(
                name: name, inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize,
                stride: stride, padding: padding, hasBias: hasBias, generator: &generator)
        case .maxPool2D(let kernelSize, let stride):
            return MaxPool2D(name: name, kernelSize: kernelSize, stride: stride)
        case .averagePool2D(let kernelSize, let stride):
            return AveragePool2D(name: name, kernelSize: kernelSize, stride: stride)
        case .relu:
            return ReLU(name: name)
        case .flatten:
            return Flatten(name: name)
        case .dropout(let rate):
            return Dropout(name: name, rate: rate, seed: generator.next())
        case .batchNormalization2D(let channels, let epsilon, let momentum):
            return BatchNormalization2D(name: name, channels: channels, epsilon: epsilon, momentum: momentum)
        case .sequential(let layers):
            guard let inputShape else { throw .invalidInputShape(shape: []) }
            return try Sequential(
                architecture: ModelArchitecture(name: name, inputShape: inputShape, layers: layers),
                generator: &generator)
        }
    }
}
