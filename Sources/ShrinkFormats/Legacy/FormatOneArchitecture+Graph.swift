import ShrinkGraph
import ShrinkNN

extension FormatOneArchitecture {
    /// The same model as a graph: one node per layer, named like the layer (so weights keep their
    /// names, `fc1.weight`), each reading the previous node's output; the input is `input`.
    /// Nested chains are expanded in place.
    var graph: Graph {
        var builder = GraphBuilder(name: name, inputShape: inputShape)
        var value = builder.input
        func append(_ layers: [FormatOneNamedLayer]) {
            for layer in layers {
                switch layer.layer {
                case let .linear(inputFeatures, outputFeatures, hasBias):
                    value = builder.add(layer.name, LinearOperator(inputFeatures: inputFeatures, outputFeatures: outputFeatures,
                                                                   hasBias: hasBias), value)
                case let .convolution2D(inputChannels, outputChannels, kernelSize, stride, padding, hasBias):
                    value = builder.add(layer.name, Convolution2DOperator(
                        inputChannels: inputChannels, outputChannels: outputChannels,
                        window: WindowGeometry(square: kernelSize, stride: stride, padding: padding), hasBias: hasBias), value)
                case let .maxPool2D(kernelSize, stride):
                    value = builder.add(layer.name, MaxPool2DOperator(window: WindowGeometry(square: kernelSize, stride: stride)), value)
                case let .averagePool2D(kernelSize, stride):
                    value = builder.add(layer.name, AveragePool2DOperator(window: WindowGeometry(square: kernelSize, stride: stride)), value)
                case .relu:
                    value = builder.add(layer.name, ReLUOperator(), value)
                case .flatten:
                    value = builder.add(layer.name, FlattenOperator(), value)
                case let .dropout(rate):
                    value = builder.add(layer.name, DropoutOperator(rate: rate), value)
                case let .batchNormalization2D(channels, epsilon, momentum):
                    value = builder.add(layer.name, BatchNormalizationOperator(channels: channels, epsilon: epsilon, momentum: momentum), value)
                case let .sequential(nested):
                    append(nested)
                }
            }
        }
        append(layers)
        return builder.finish()
    }
}
