import Foundation
import ShrinkData
import ShrinkKernels
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
import Testing
@testable import ShrinkFormats

/// A trained model written to a file and read back computes exactly what it computed before.
@Suite struct ModelFileSequentialTests {
    /// A few steps of real training on seeded random data, so BatchNorm statistics and weights
    /// are no longer their initial values.
    private static func trainedNetwork() throws -> Sequential {
        var generator = SeededRandomNumberGenerator(seed: 11)
        let network = try Sequential(architecture: Fixtures.architecture, generator: &generator)
        let inputs = Tensor.randomNormal(shape: [48, 1, 6, 6], using: &generator)
        let labels = (0..<48).map { $0 % 3 }
        let data = LabeledDataset(inputs: inputs, labels: labels, classCount: 3)
        let configuration = TrainingConfiguration(
            epochs: 2, batchSize: 8, optimizer: .sgd(momentum: 0.9, weightDecay: 1e-4, nesterov: false),
            baseLearningRate: 0.05, schedule: .constant, seed: 3)
        try Trainer().train(model: network, on: data, configuration: configuration)
        return network
    }

    @Test func saveLoadGivesBitIdenticalOutputs() throws {
        let network = try Self.trainedNetwork()
        var generator = SeededRandomNumberGenerator(seed: 99)
        let probe = Tensor.randomNormal(shape: [5, 1, 6, 6], using: &generator)
        // Pinned to one thread: other tests may change the process-wide thread count meanwhile,
        // and a different split of the batch may round differently.
        let before = Parallelism.withThreadCount(1) { network.forward(probe, mode: .inference) }

        let directory = makeTemporaryDirectory(prefix: "shrink-sequential")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.shrink"
        try ModelFile(architecture: network.architecture, parameters: network.parameters, metadata: ModelMetadata())
            .write(to: path)

        let reloaded = try Sequential(file: ModelFile.read(from: path))
        let after = Parallelism.withThreadCount(1) { reloaded.forward(probe, mode: .inference) }
        #expect(after.shape == before.shape)
        #expect(after.scalars.map(\.bitPattern) == before.scalars.map(\.bitPattern))
        for parameter in network.parameters {
            let loaded = try #require(reloaded.parameter(named: parameter.name))
            #expect(loaded.kind == parameter.kind)
            #expect(loaded.value.scalars.map(\.bitPattern) == parameter.value.scalars.map(\.bitPattern))
        }
    }

    @Test func missingTensorIsAnError() throws {
        let network = try Self.trainedNetwork()
        let file = ModelFile(
            architecture: network.architecture,
            parameters: network.parameters.filter { $0.name != "fc1.bias" },
            metadata: ModelMetadata())
        #expect(throws: (any Error).self) { try Sequential(file: file) }
    }
}

/// A fresh directory under /tmp made with mkdtemp (plain paths: no `URL`, whose percent-encoder
/// has crashed under parallel tests on this toolchain).
func makeTemporaryDirectory(prefix: String) -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(created != nil, "mkdtemp failed")
    return String(cString: created!)
}
