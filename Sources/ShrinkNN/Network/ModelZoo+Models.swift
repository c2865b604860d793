extension ModelZoo {
    /// The built-in model with this name (see `ModelZoo` for each architecture).
    /// - Throws: `ModelZooError.unknownModel` listing the available names.
    public static func graph(named name: String) throws(ModelZooError) -> Graph {
        try graph(named: name, inputNormalization: nil)
    }

    /// The built-in model with this name; the CIFAR-10 models' first node normalizes their input
    /// with `inputNormalization` (nil: `cifar10Normalization`).
    /// - Throws: `ModelZooError.unknownModel`, or `.noInputNormalization` when a normalization is
    ///   given for a model that has no such node (the MNIST models take pixels as they are).
    public static func graph(named name: String, inputNormalization: InputNormalizationOperator?) throws(ModelZooError) -> Graph {
        let normalization = inputNormalization ?? cifar10Normalization
        switch name {
        case "resnet-20": return resNet20Graph(normalization: normalization)
        case "vgg-11", "vgg-13": return vggGraph(named: name, normalization: normalization)
        case "mobilenet-v2", "mobilenet-v2-small": return mobileNetV2Graph(named: name, normalization: normalization)
        default: break
        }
        guard names.contains(name) else { throw .unknownModel(name: name, available: names) }
        guard inputNormalization == nil else { throw .noInputNormalization(model: name) }
        switch name {
        case "lenet-300-100": return lenet300100Graph
        case "lenet-5": return lenet5Graph
        case "mlp-784-100-10": return multilayerPerceptronGraph
        default: return residualGraph
        }
    }

    static var lenet300100Graph: Graph {
        var builder = GraphBuilder(name: "lenet-300-100", inputShape: [1, 28, 28])
        var x = builder.add("flatten", FlattenOperator(), builder.input)
        x = builder.add("fc1", LinearOperator(inputFeatures: 784, outputFeatures: 300), x)
        x = builder.add("relu1", ReLUOperator(), x)
        x = builder.add("fc2", LinearOperator(inputFeatures: 300, outputFeatures: 100), x)
        x = builder.add("relu2", ReLUOperator(), x)
        builder.add("fc3", LinearOperator(inputFeatures: 100, outputFeatures: 10), x)
        return builder.finish()
    }

    static var multilayerPerceptronGraph: Graph {
        var builder = GraphBuilder(name: "mlp-784-100-10", inputShape: [1, 28, 28])
        var x = builder.add("flatten", FlattenOperator(), builder.input)
        x = builder.add("fc1", LinearOperator(inputFeatures: 784, outputFeatures: 100), x)
        x = builder.add("relu1", ReLUOperator(), x)
        builder.add("fc2", LinearOperator(inputFeatures: 100, outputFeatures: 10), x)
        return builder.finish()
    }

    static var lenet5Graph: Graph {
        var builder = GraphBuilder(name: "lenet-5", inputShape: [1, 28, 28])
        var x = builder.add("conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 20, window: WindowGeometry(square: 5)),
                            builder.input)
        x = builder.add("pool1", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), x)
        x = builder.add("conv2", Convolution2DOperator(inputChannels: 20, outputChannels: 50, window: WindowGeometry(square: 5)), x)
        x = builder.add("pool2", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), x)
        x = builder.add("flatten", FlattenOperator(), x)
        x = builder.add("fc1", LinearOperator(inputFeatures: 800, outputFeatures: 500), x)
        x = builder.add("relu1", ReLUOperator(), x)
        builder.add("fc2", LinearOperator(inputFeatures: 500, outputFeatures: 10), x)
        return builder.finish()
    }

    static var residualGraph: Graph {
        var builder = GraphBuilder(name: "resnet-mini", inputShape: [1, 28, 28])
        let stem = builder.add("stem_relu", ReLUOperator(),
                               builder.convolutionWithBatchNormalization("stem", builder.input, inputChannels: 1, outputChannels: 8))
        let stage1 = builder.residualBlock("stage1", stem, channels: 8)
        let down = builder.add("down_relu", ReLUOperator(), builder.convolutionWithBatchNormalization(
            "down", stage1, inputChannels: 8, outputChannels: 16, stride: 2))
        let stage2 = builder.residualBlock("stage2", down, channels: 16)
        let depthwise = builder.add("separable_relu6", ReLU6Operator(), builder.convolutionWithBatchNormalization(
            "separable_depthwise", stage2, inputChannels: 16, outputChannels: 16, groups: 16))
        let pointwise = builder.add("separable_relu", ReLUOperator(), builder.convolutionWithBatchNormalization(
            "separable_pointwise", depthwise, inputChannels: 16, outputChannels: 16, kernel: 1))
        let joined = builder.add("concat", ConcatenationOperator(), stage2, pointwise)
        let pooled = builder.add("pool", GlobalAveragePoolOperator(), joined)
        let flat = builder.add("flatten", FlattenOperator(), pooled)
        builder.add("fc", LinearOperator(inputFeatures: 32, outputFeatures: 10), flat)
        return builder.finish()
    }
}
