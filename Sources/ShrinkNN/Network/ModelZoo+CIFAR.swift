extension ModelZoo {
    /// The per-channel mean and standard deviation of CIFAR-10's official training images (the
    /// figures published with the data set's common training recipes): the CIFAR models' first
    /// node, `input_normalization`, unless `graph(named:inputNormalization:)` is given others
    /// (`shrink train` measures them on the training split it is given).
    public static let cifar10Normalization = InputNormalizationOperator(
        mean: [0.4914, 0.4822, 0.4465], standardDeviation: [0.2470, 0.2435, 0.2616])

    /// ResNet-20 for 32×32 images (He et al., section 4.2): a 3×3 stem to 16 channels, three
    /// stages of three basic residual blocks at 16, 32 and 64 channels (the first block of stages
    /// 2 and 3 at stride 2 with a 1×1 projection shortcut), global average pooling, `fc` 64→10.
    static func resNet20Graph(normalization: InputNormalizationOperator) -> Graph {
        var builder = GraphBuilder(name: "resnet-20", inputShape: [3, 32, 32])
        let input = builder.add("input_normalization", normalization, builder.input)
        var x = builder.add("stem_relu", ReLUOperator(),
                            builder.convolutionWithBatchNormalization("stem", input, inputChannels: 3, outputChannels: 16))
        var channels = 16
        for (stage, width) in [16, 32, 64].enumerated() {
            for block in 0..<3 {
                let stride = stage > 0 && block == 0 ? 2 : 1
                x = builder.residualBlock("stage\(stage + 1)_block\(block + 1)", x, inputChannels: channels, outputChannels: width,
                                          stride: stride)
                channels = width
            }
        }
        x = builder.add("pool", GlobalAveragePoolOperator(), x)
        x = builder.add("flatten", FlattenOperator(), x)
        builder.add("fc", LinearOperator(inputFeatures: 64, outputFeatures: 10), x)
        return builder.finish()
    }

    /// The VGG configurations for 32×32 images: 3×3 convolutions (BatchNorm, ReLU) with 2×2 max
    /// pools (`0` below) between blocks; after five pools 1×1×512, so one `fc` 512→10 (the
    /// common CIFAR-10 form of Simonyan & Zisserman's nets).
    static let vggConfigurations: [String: [Int]] = [
        "vgg-11": [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
        "vgg-13": [64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
    ]

    /// A VGG net of `vggConfigurations` (`conv1`, `conv2`, … each with `_bn` and `_relu`;
    /// `pool1`, …).
    static func vggGraph(named name: String, normalization: InputNormalizationOperator) -> Graph {
        var builder = GraphBuilder(name: name, inputShape: [3, 32, 32])
        var x = builder.add("input_normalization", normalization, builder.input), channels = 3, convolutions = 0, pools = 0
        for width in vggConfigurations[name]! {
            if width == 0 {
                pools += 1
                x = builder.add("pool\(pools)", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), x)
                continue
            }
            convolutions += 1
            x = builder.add("conv\(convolutions)_relu", ReLUOperator(), builder.convolutionWithBatchNormalization(
                "conv\(convolutions)", x, inputChannels: channels, outputChannels: width))
            channels = width
        }
        x = builder.add("flatten", FlattenOperator(), x)
        builder.add("fc", LinearOperator(inputFeatures: 512, outputFeatures: 10), x)
        return builder.finish()
    }

    /// One stage of a MobileNetV2-style net: `repeats` inverted residual blocks of expansion
    /// `expansion` and output width `width`, the first at stride `firstStride` (Sandler et al.'s
    /// t, c, n, s).
    struct InvertedResidualStage {
        var expansion: Int
        var width: Int
        var repeats: Int
        var firstStride: Int
    }

    /// The layer widths of a MobileNetV2-style net for 32×32 images.
    struct MobileNetV2Shape {
        /// The 3×3 stem's output channels.
        var stemWidth: Int
        var stages: [InvertedResidualStage]
        /// The final 1×1 convolution's output channels.
        var headWidth: Int
    }

    /// `mobilenet-v2`: Sandler et al., table 2, with the CIFAR-10 changes common since (stem and
    /// second stage at stride 1, so 32×32 → 4×4). `mobilenet-v2-small`: a distillation-sized
    /// student in the same style (stem 16, stages (1,16,1,1) (4,24,2,2) (4,32,2,2) (4,64,2,2),
    /// head 256, so 32×32 → 4×4).
    static let mobileNetV2Shapes: [String: MobileNetV2Shape] = [
        "mobilenet-v2": MobileNetV2Shape(
            stemWidth: 32,
            stages: [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
                .map { InvertedResidualStage(expansion: $0.0, width: $0.1, repeats: $0.2, firstStride: $0.3) },
            headWidth: 1280),
        "mobilenet-v2-small": MobileNetV2Shape(
            stemWidth: 16,
            stages: [(1, 16, 1, 1), (4, 24, 2, 2), (4, 32, 2, 2), (4, 64, 2, 2)]
                .map { InvertedResidualStage(expansion: $0.0, width: $0.1, repeats: $0.2, firstStride: $0.3) },
            headWidth: 256),
    ]

    /// A MobileNetV2-style net of `mobileNetV2Shapes` for 32×32 images: a 3×3 stem (BatchNorm,
    /// ReLU6), inverted residual blocks (`block1`, …: 1×1 expansion, 3×3 depthwise, linear 1×1
    /// projection, each with BatchNorm; ReLU6 after the first two; an `Add` where shapes allow), a
    /// 1×1 convolution to the head width (BatchNorm, ReLU6), global average pooling, `fc` to 10.
    static func mobileNetV2Graph(named name: String, normalization: InputNormalizationOperator) -> Graph {
        let shape = mobileNetV2Shapes[name]!
        var builder = GraphBuilder(name: name, inputShape: [3, 32, 32])
        let input = builder.add("input_normalization", normalization, builder.input)
        var x = builder.add("stem_relu6", ReLU6Operator(),
                            builder.convolutionWithBatchNormalization("stem", input, inputChannels: 3, outputChannels: shape.stemWidth))
        var channels = shape.stemWidth, block = 0
        for stage in shape.stages {
            for repeat_ in 0..<stage.repeats {
                block += 1
                x = builder.invertedResidualBlock("block\(block)", x, inputChannels: channels, outputChannels: stage.width,
                                                  expansion: stage.expansion, stride: repeat_ == 0 ? stage.firstStride : 1)
                channels = stage.width
            }
        }
        x = builder.add("head_relu6", ReLU6Operator(),
                        builder.convolutionWithBatchNormalization("head", x, inputChannels: channels, outputChannels: shape.headWidth,
                                                                  kernel: 1))
        x = builder.add("pool", GlobalAveragePoolOperator(), x)
        x = builder.add("flatten", FlattenOperator(), x)
        builder.add("fc", LinearOperator(inputFeatures: shape.headWidth, outputFeatures: 10), x)
        return builder.finish()
    }
}
