import ShrinkTensor
import Testing
@testable import ShrinkNN

/// The CIFAR-10 architectures of the zoo: their parameter counts are those of the same nets
/// written in PyTorch (torch.nn, counted with `sum(p.numel() for p in model.parameters())`), they
/// map 32×32 RGB images to 10 logits, and they train (a backward pass reaches the first layer).
@Suite struct CIFARModelZooTests {
    static let expectedParameters = ["resnet-20": 272_474, "vgg-11": 9_228_362, "vgg-13": 9_413_066, "mobilenet-v2": 2_236_682,
                                     "mobilenet-v2-small": 96_650]

    @Test(arguments: ["resnet-20", "vgg-11", "vgg-13", "mobilenet-v2", "mobilenet-v2-small"])
    func countsAndShapes(name: String) throws {
        var generator = SeededRandomNumberGenerator(seed: 7)
        let model = try GraphNetwork(graph: ModelZoo.graph(named: name), generator: &generator)
        #expect(ModelZoo.names.contains(name))
        #expect(model.trainableParameterCount == Self.expectedParameters[name])
        #expect(model.sampleOutputShape == [10])
        let input = Tensor.randomUniform(shape: [2, 3, 32, 32], lowerBound: 0, upperBound: 1, using: &generator)
        #expect(model.forward(input, mode: .inference).shape == [2, 10])
    }

    /// ResNet-20's shape-changing blocks: stride 2 and a 1×1 projection shortcut entering stages
    /// 2 and 3, identity shortcuts elsewhere; one training step moves the stem's gradient.
    @Test func resNet20BlocksAndOneTrainingStep() throws {
        var generator = SeededRandomNumberGenerator(seed: 8)
        let model = try GraphNetwork(graph: ModelZoo.graph(named: "resnet-20"), generator: &generator)
        let names = Set(model.graph.nodes.map(\.name))
        #expect(names.contains("stage2_block1_shortcut") && names.contains("stage3_block1_shortcut"))
        #expect(!names.contains("stage1_block1_shortcut") && !names.contains("stage2_block2_shortcut"))
        #expect(model.parameter(named: "stage3_block1_shortcut.weight")?.value.shape == [64, 32, 1, 1])
        #expect(model.graph.nodes.filter { $0.operatorType == "Add" }.count == 9)
        let input = Tensor.randomUniform(shape: [2, 3, 32, 32], lowerBound: 0, upperBound: 1, using: &generator)
        #expect(model.forward(input, mode: .training).shape == [2, 10])
        #expect(model.backward(Tensor(repeating: 1, shape: [2, 10])).shape == [2, 3, 32, 32])
        #expect(model.parameter(named: "stem.weight")!.gradient.scalars.contains { $0 != 0 })
    }

    /// The CIFAR models start by normalizing their input per channel (CIFAR-10's published
    /// statistics, or those given); the MNIST models have no such node and refuse one.
    @Test func inputNormalization() throws {
        let standard = try ModelZoo.graph(named: "resnet-20")
        #expect(standard.nodes.first?.name == "input_normalization")
        #expect(standard.nodes.first?.operatorType == InputNormalizationOperator.typeName)
        let measured = InputNormalizationOperator(mean: [0.5, 0.4, 0.3], standardDeviation: [0.2, 0.25, 0.3])
        for name in ["resnet-20", "vgg-11", "mobilenet-v2"] {
            let graph = try ModelZoo.graph(named: name, inputNormalization: measured)
            let node = try #require(graph.nodes.first)
            let stored = try InputNormalizationOperator(attributes: node.attributes)
            #expect(stored.mean == measured.mean && stored.standardDeviation == measured.standardDeviation && stored.scale == 1)
        }
        #expect(throws: ModelZooError.noInputNormalization(model: "lenet-5")) {
            try ModelZoo.graph(named: "lenet-5", inputNormalization: measured)
        }
        #expect(throws: ModelZooError.self) { try ModelZoo.graph(named: "resnet-21", inputNormalization: nil) }
    }

    /// MobileNetV2's blocks: no expansion in the first, depthwise 3×3 with one group per channel,
    /// residual adds only where the stride is 1 and the width is kept (10 of 17 blocks).
    @Test func mobileNetV2Blocks() throws {
        let graph = try ModelZoo.graph(named: "mobilenet-v2")
        let names = Set(graph.nodes.map(\.name))
        #expect(!names.contains("block1_expand") && names.contains("block2_expand"))
        #expect(names.contains("block17_project") && !names.contains("block18_project"))
        #expect(graph.nodes.filter { $0.operatorType == "Add" }.count == 10)
    }
}
