import ShrinkTensor
import Testing
@testable import ShrinkNN

@Suite struct SequentialTests {
    static func named(_ name: String, _ layer: LayerSpecification) -> NamedLayerSpecification {
        NamedLayerSpecification(name: name, layer: layer)
    }

    /// A small convolutional model using every layer type but dropout.
    static let smallArchitecture = ModelArchitecture(
        name: "small", inputShape: [2, 7, 6],
        layers: [
            // No bias before batch normalization: the mean subtraction cancels it (its gradient is 0).
            named("conv1", .convolution2D(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 1, padding: 1, hasBias: false)),
            named("bn1", .batchNormalization2D(channels: 3, epsilon: 1e-5, momentum: 0.1)),
            named("relu1", .relu),
            named("pool1", .maxPool2D(kernelSize: 2, stride: 2)),
            named("conv2", .convolution2D(inputChannels: 3, outputChannels: 4, kernelSize: 2, stride: 2, padding: 1, hasBias: true)),
            named("pool2", .averagePool2D(kernelSize: 2, stride: 1)),
            named("flatten", .flatten),
            named("fc1", .linear(inputFeatures: 4, outputFeatures: 5, hasBias: true)),
            named("relu2", .relu),
            named("fc2", .linear(inputFeatures: 5, outputFeatures: 3, hasBias: true)),
        ])

    @Test func wholeModelGradientCheck() throws {
        var generator = SeededRandomNumberGenerator(seed: 41)
        let model = try Sequential(architecture: Self.smallArchitecture, generator: &generator)
        #expect(model.outputShape == [3])
        let input = Tensor.randomNormal(shape: [3, 2, 7, 6], using: &generator)
        GradientChecking.check(model, input: input, epsilon: 1e-3, tolerance: 2e-2)
    }

    @Test func lenet5ShapesCountsAndNames() throws {
        var generator = SeededRandomNumberGenerator(seed: 42)
        let model = try Sequential(architecture: try ModelZoo.architecture(named: "lenet-5"), generator: &generator)
        #expect(model.layers.map(\.name) == ["conv1", "pool1", "conv2", "pool2", "flatten", "fc1", "relu1", "fc2"])
        #expect(model.parameters.map(\.name) == [
            "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
            "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
        ])
        #expect(model.parameter(named: "conv2.weight")?.value.shape == [50, 20, 5, 5])
        #expect(model.parameter(named: "fc1.weight")?.value.shape == [500, 800])
        #expect(model.parameter(named: "fc9.weight") == nil)
        #expect(model.trainableParameterCount == 431_080)
        #expect(try model.outputShape(forInputShape: [1, 28, 28]) == [10])
        // 32×32 images flatten to 50·5·5 = 1250 features, which fc1 (800 inputs) cannot take.
        #expect(throws: ArchitectureError.incompatibleInputShape(layer: "fc1", expected: "[800] input features", received: [1250])) {
            try model.outputShape(forInputShape: [1, 32, 32])
        }
        let input = Tensor.randomUniform(shape: [2, 1, 28, 28], lowerBound: 0, upperBound: 1, using: &generator)
        let output = model.forward(input, mode: .training)
        #expect(output.shape == [2, 10])
        let inputGradient = model.backward(Tensor(repeating: 1, shape: [2, 10]))
        #expect(inputGradient.shape == [2, 1, 28, 28])
        #expect(model.parameter(named: "conv1.weight")!.gradient.scalars.contains { $0 != 0 })
        model.zeroGradients()
        #expect(model.parameters.allSatisfy { $0.gradient.scalars.allSatisfy { $0 == 0 } })
    }

    @Test func skippingTheInputGradientKeepsParameterGradients() throws {
        var generator = SeededRandomNumberGenerator(seed: 49)
        let model = try Sequential(architecture: try ModelZoo.architecture(named: "lenet-5"), generator: &generator)
        let input = Tensor.randomUniform(shape: [3, 1, 28, 28], lowerBound: 0, upperBound: 1, using: &generator)
        let outputGradient = Tensor.randomNormal(shape: [3, 10], using: &generator)
        _ = model.forward(input, mode: .training)
        let inputGradient = model.backward(outputGradient)
        let full = model.parameters.map(\.gradient)
        model.zeroGradients()
        #expect(model.backward(outputGradient, needsInputGradient: false) == nil)
        #expect(model.parameters.map(\.gradient) == full)
        #expect(inputGradient.scalars.contains { $0 != 0 })
    }

    @Test func lenet300100ShapesCountsAndNames() throws {
        var generator = SeededRandomNumberGenerator(seed: 43)
        let model = try Sequential(architecture: try ModelZoo.architecture(named: "lenet-300-100"), generator: &generator)
        #expect(model.layers.map(\.name) == ["flatten", "fc1", "relu1", "fc2", "relu2", "fc3"])
        #expect(model.parameters.map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"])
        #expect(model.trainableParameterCount == 266_610)
        // A flat [batch, 784] input is accepted and reshaped.
        let output = model.forward(Tensor(zeros: [3, 784]), mode: .inference)
        #expect(output.shape == [3, 10])
    }

    @Test func sameSeedSameModel() throws {
        var first = SeededRandomNumberGenerator(seed: 44)
        var second = SeededRandomNumberGenerator(seed: 44)
        let architecture = try ModelZoo.architecture(named: "lenet-5")
        let a = try Sequential(architecture: architecture, generator: &first)
        let b = try Sequential(architecture: architecture, generator: &second)
        #expect(a.namedTensors == b.namedTensors)
    }

    @Test func unknownZooModelListsNames() {
        #expect(throws: ModelZooError.unknownModel(name: "vgg", available: ["lenet-300-100", "lenet-5", "mlp-784-100-10"])) {
            try ModelZoo.architecture(named: "vgg")
        }
        #expect(ModelZooError.unknownModel(name: "vgg", available: ModelZoo.names).description.contains("lenet-5"))
    }

    @Test func flattenSizeMismatchIsReported() throws {
        var architecture = try ModelZoo.architecture(named: "lenet-5")
        architecture.layers[5] = Self.named("fc1", .linear(inputFeatures: 784, outputFeatures: 500, hasBias: true))
        var generator = SeededRandomNumberGenerator(seed: 45)
        let error = #expect(throws: ArchitectureError.self) {
            try Sequential(architecture: architecture, generator: &generator)
        }
        #expect(error == .incompatibleInputShape(layer: "fc1", expected: "[784] input features", received: [800]))
        #expect(error?.description.contains("fc1") == true)
    }

    @Test(arguments: [
        (ModelArchitecture(name: "m", inputShape: [1, 4, 4], layers: [named("c", .convolution2D(
            inputChannels: 2, outputChannels: 1, kernelSize: 3, stride: 1, padding: 0, hasBias: true))]),
         ArchitectureError.incompatibleInputShape(layer: "c", expected: "2 input channels", received: [1, 4, 4])),
        (ModelArchitecture(name: "m", inputShape: [1, 4, 4], layers: [named("p", .maxPool2D(kernelSize: 5, stride: 1))]),
         .incompatibleInputShape(layer: "p", expected: "a spatial size of at least 5×5 after padding 0", received: [1, 4, 4])),
        (ModelArchitecture(name: "m", inputShape: [4], layers: [named("d", .dropout(rate: 1))]),
         .invalidHyperparameter(layer: "d", reason: "dropout rate must be in [0, 1), got 1.0")),
        (ModelArchitecture(name: "m", inputShape: [4], layers: [named("r", .relu), named("r", .relu)]),
         .duplicateName("r")),
        (ModelArchitecture(name: "m", inputShape: [4], layers: [named("a.b", .relu)]), .invalidLayerName("a.b")),
        (ModelArchitecture(name: "m", inputShape: [0, 3], layers: [named("r", .relu)]), .invalidInputShape(shape: [0, 3])),
        (ModelArchitecture(name: "m", inputShape: [4], layers: []), .noLayers(architecture: "m")),
        (ModelArchitecture(name: "m", inputShape: [4], layers: [named("c", .convolution2D(
            inputChannels: 1, outputChannels: 1, kernelSize: 1, stride: 0, padding: 0, hasBias: true))]),
         .invalidHyperparameter(layer: "c", reason: "stride must be positive, got 0")),
        (ModelArchitecture(name: "m", inputShape: [2, 3], layers: [named("bn", .batchNormalization2D(
            channels: 2, epsilon: 1e-5, momentum: 0.1))]),
         .incompatibleInputShape(layer: "bn", expected: "a [2, height, width] input", received: [2, 3])),
    ])
    func invalidArchitecturesThrow(architecture: ModelArchitecture, expected: ArchitectureError) {
        var generator = SeededRandomNumberGenerator(seed: 46)
        #expect(throws: expected) { try Sequential(architecture: architecture, generator: &generator) }
    }

    @Test func nestedSequentialKeepsFlatNames() throws {
        let architecture = ModelArchitecture(
            name: "outer", inputShape: [6],
            layers: [
                Self.named("block", .sequential(layers: [
                    Self.named("fc1", .linear(inputFeatures: 6, outputFeatures: 4, hasBias: true)),
                    Self.named("relu1", .relu),
                ])),
                Self.named("fc2", .linear(inputFeatures: 4, outputFeatures: 2, hasBias: true)),
            ])
        var generator = SeededRandomNumberGenerator(seed: 47)
        let model = try Sequential(architecture: architecture, generator: &generator)
        #expect(model.parameters.map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(model.specification == .sequential(layers: architecture.layers))
        var duplicate = architecture
        duplicate.layers[1].name = "relu1"
        #expect(throws: ArchitectureError.duplicateName("relu1")) {
            try Sequential(architecture: duplicate, generator: &generator)
        }
        GradientChecking.check(model, input: Tensor.randomNormal(shape: [2, 6], using: &generator))
    }

    @Test func loadParametersRoundTripAndErrors() throws {
        var generator = SeededRandomNumberGenerator(seed: 48)
        let architecture = Self.smallArchitecture
        let source = try Sequential(architecture: architecture, generator: &generator)
        source.parameter(named: "bn1.running_mean")!.value = Tensor(shape: [3], scalars: [1, 2, 3])
        let target = try Sequential(architecture: architecture, generator: &generator)
        #expect(target.namedTensors != source.namedTensors)
        try target.loadParameters(source.namedTensors)
        #expect(target.namedTensors == source.namedTensors)

        let untouched = try Sequential(architecture: architecture, generator: &generator)
        let before = untouched.namedTensors
        var missing = source.namedTensors
        missing["fc2.bias"] = nil
        missing["bn1.running_var"] = nil
        #expect(throws: ParameterLoadingError.missingTensors(["bn1.running_var", "fc2.bias"])) {
            try untouched.loadParameters(missing)
        }
        var extra = source.namedTensors
        extra["fc3.weight"] = Tensor(zeros: [1])
        #expect(throws: ParameterLoadingError.unexpectedTensors(["fc3.weight"])) { try untouched.loadParameters(extra) }
        var wrongShape = source.namedTensors
        wrongShape["fc1.weight"] = Tensor(zeros: [4, 5])
        #expect(throws: ParameterLoadingError.shapeMismatch(name: "fc1.weight", expected: [5, 4], received: [4, 5])) {
            try untouched.loadParameters(wrongShape)
        }
        #expect(untouched.namedTensors == before)
    }
}
