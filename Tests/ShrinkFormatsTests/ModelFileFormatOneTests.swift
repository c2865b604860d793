import Foundation
import ShrinkData
import ShrinkGraph
import ShrinkKernels
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// Files written by the format 1.2 writer (`Fixtures/format-1.2`, committed with the previous
/// release) are read as the equivalent graph, decode completely and re-encode as format 2.0.
@Suite struct ModelFileFormatOneTests {
    /// One committed 1.2 file: its name, the zoo model its chain describes, and its MNIST test
    /// top-1 accuracy over the full 10 000 images as the 1.2 code measured it.
    struct Fixture: CustomTestStringConvertible, Sendable {
        var file: String
        var model: String
        var accuracy: Double
        /// The file's path.
        var path: String { Fixtures.formatOneDirectory + "/" + file + ".shrink" }
        var testDescription: String { file }
    }

    static let fixtures = [
        Fixture(file: "lenet-300-100-deep-compression", model: "lenet-300-100", accuracy: 0.9282),
        Fixture(file: "lenet-5-deep-compression", model: "lenet-5", accuracy: 0.9557),
        Fixture(file: "lenet-300-100-int8-static", model: "lenet-300-100", accuracy: 0.926),
    ]

    @Test(arguments: fixtures)
    func loadsAsTheZooGraph(_ fixture: Fixture) throws {
        let bytes = try AtomicFile.readAll(fixture.path)
        #expect(Array(bytes[8..<12]) == [1, 0, 2, 0])
        #expect(RawContainer(bytes).isCompressedManifest)
        let inspection = try ModelFile.inspect(bytes)
        #expect(inspection.formatVersion == FormatVersion(major: 1, minor: 2))
        let model = inspection.model
        let zooGraph = try ModelZoo.graph(named: fixture.model)
        #expect(model.graph == zooGraph)
        #expect(model.activationQuantization.isEmpty)
        #expect(model.metadata.compression != nil)
        // Every declared weight is present with its shape and kind, in node order, and decodes.
        let declared = Fixtures.declaredWeights(of: zooGraph)
        #expect(model.tensors.map(\.name) == declared.map(\.name))
        #expect(model.tensors.map(\.value.shape) == declared.map(\.shape))
        #expect(model.tensors.map(\.kind) == declared.map(\.kind))
        for tensor in model.tensors {
            #expect(tensor.value.count == tensor.value.shape.reduce(1, *))
            #expect(tensor.value.scalars.allSatisfy { $0.isFinite }, "\(tensor.name)")
            if let encoding = tensor.encoding {
                #expect(encoding.coded.values().map(\.bitPattern) == tensor.value.scalars.map(\.bitPattern), "\(tensor.name)")
            }
        }
        #expect(model.tensors.contains { $0.encoding != nil })
        #expect(inspection.tensors.map(\.name) == declared.map(\.name))
    }

    @Test(arguments: fixtures)
    func reencodesAsFormat2BitIdentically(_ fixture: Fixture) throws {
        let original = try ModelFile.read(from: fixture.path)
        let bytes = try original.encoded()
        #expect(Array(bytes[8..<12]) == [2, 0, 0, 0])
        let manifest = RawContainer(bytes).manifest
        #expect(manifest.hasPrefix("{\"graph\":{"))
        #expect(!manifest.contains("\"architecture\""))
        let reread = try ModelFile.decode(bytes)
        #expect(bitwiseEqual(reread, original))
        for (first, second) in zip(original.tensors, reread.tensors) {
            #expect(first.encoding == second.encoding, "\(first.name)")
        }
        #expect(try reread.encoded() == bytes)

        // Both build the same network, which computes the same outputs bit for bit.
        var generator = SeededRandomNumberGenerator(seed: 12)
        let probe = Tensor.randomNormal(shape: [3, 1, 28, 28], using: &generator)
        let before = Parallelism.withThreadCount(1) { try? GraphNetwork(file: original).forward(probe, mode: .inference) }
        let after = Parallelism.withThreadCount(1) { try? GraphNetwork(file: reread).forward(probe, mode: .inference) }
        let first = try #require(before), second = try #require(after)
        #expect(first.shape == [3, 10])
        #expect(bitwiseEqual(first, second))
    }

    @Test func formatOneArchitecturesMapToTheirOps() throws {
        // Every 1.x layer kind, nested chains expanded in place, converted to its op.
        let architecture = FormatOneArchitecture(name: "every-layer", inputShape: [1, 6, 6], layers: [
            FormatOneNamedLayer(name: "conv1", layer: .convolution2D(
                inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 1, padding: 1, hasBias: false)),
            FormatOneNamedLayer(name: "bn1", layer: .batchNormalization2D(channels: 2, epsilon: 0.001, momentum: 0.2)),
            FormatOneNamedLayer(name: "block", layer: .sequential(layers: [
                FormatOneNamedLayer(name: "relu1", layer: .relu),
                FormatOneNamedLayer(name: "pool1", layer: .maxPool2D(kernelSize: 2, stride: 1)),
            ])),
            FormatOneNamedLayer(name: "pool2", layer: .averagePool2D(kernelSize: 2, stride: 2)),
            FormatOneNamedLayer(name: "flatten", layer: .flatten),
            FormatOneNamedLayer(name: "dropout", layer: .dropout(rate: 0.25)),
            FormatOneNamedLayer(name: "fc1", layer: .linear(inputFeatures: 8, outputFeatures: 3, hasBias: true)),
        ])
        let graph = architecture.graph
        #expect(graph.nodes.map(\.name) == ["conv1", "bn1", "relu1", "pool1", "pool2", "flatten", "dropout", "fc1"])
        #expect(graph.nodes.map(\.operatorType)
            == ["Conv2D", "BatchNormalization", "ReLU", "MaxPool2D", "AveragePool2D", "Flatten", "Dropout", "Linear"])
        #expect(graph.inputs == [ValueInfo(name: "input", shape: .batched([1, 6, 6]))])
        #expect(graph.outputs == ["fc1"])
        #expect(graph.nodes[0].attributes == Convolution2DOperator(
            inputChannels: 1, outputChannels: 2, window: WindowGeometry(square: 3, padding: 1), hasBias: false).attributes)
        #expect(graph.nodes[1].attributes == BatchNormalizationOperator(channels: 2, epsilon: 0.001, momentum: 0.2).attributes)
        #expect(graph.nodes[6].attributes == DropoutOperator(rate: 0.25).attributes)
        // The tiny fixture's graph has the same structure.
        #expect(graph.nodes.map(\.operatorType) == Fixtures.graph.nodes.map(\.operatorType))
    }

    @Test func formatOneFilesBreakingTheRulesAreRefused() throws {
        let path = Self.fixtures[0].path
        let bytes = try AtomicFile.readAll(path)
        // 1.x hyper-parameter rules still apply, by their 1.x names.
        let zeroFeatures = withManifest(bytes) { replaceFirst("\"inputFeatures\":784", with: "\"inputFeatures\":0", in: &$0) }
        expectRejection(zeroFeatures, containing: ["invalid architecture", "\"fc1\"", "inputFeatures 0"]) {
            if case .invalidArchitecture = $0 { true } else { false }
        }
        // A consistent 1.x chain whose tensors do not fit it is refused as a graph.
        let wrongWidth = withManifest(bytes) { replaceFirst("\"outputFeatures\":300", with: "\"outputFeatures\":301", in: &$0) }
        expectRejection(wrongWidth, containing: ["invalid graph"], isInvalidGraph)
        let unknownLayer = withManifest(bytes) { replaceFirst("{\"relu\":{}}", with: "{\"gelu\":{}}", in: &$0) }
        expectRejection(unknownLayer, containing: ["architecture.layers[2].layer"], isInvalidManifest)
    }

    /// The MNIST test set, when the repository's data is present.
    static let testSet: LabeledDataset? = {
        guard let directory = try? MNIST.defaultDirectory() else { return nil }
        return try? MNIST.load(split: .test, from: directory)
    }()

    @Test(.enabled(if: testSet != nil, "needs Data/mnist"), arguments: fixtures)
    func accuracyMatchesTheFormatOneEvaluation(_ fixture: Fixture) throws {
        let data = try #require(Self.testSet)
        let network = try GraphNetwork(file: try ModelFile.read(from: fixture.path))
        var correct = 0
        for batch in data.batches(size: 1_000) {
            let logits = network.forward(batch.inputs, mode: .inference)
            let classes = logits.shape[1]
            for (row, label) in batch.labels.enumerated() {
                let scores = logits.scalars[row * classes..<(row + 1) * classes]
                if scores.indices.max(by: { scores[$0] < scores[$1] })! - row * classes == label { correct += 1 }
            }
        }
        let accuracy = Double(correct) / Double(data.labels.count)
        // The graph computes what the 1.2 chain computed (9282, 9557 and 9260 correct when this
        // was written); five images of slack for rounding differences between thread splits.
        #expect(abs(accuracy - fixture.accuracy) <= 0.0005, "\(fixture.file): \(accuracy) vs \(fixture.accuracy)")
    }
}
