import Foundation
import ShrinkGraph
import ShrinkKernels
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// A trained graph network written to a file and read back (`GraphNetwork(file:)`) computes
/// exactly what it computed before.
@Suite struct ModelFileGraphNetworkTests {
    /// The fixture graph after a few steps of plain SGD on a squared error toward seeded random
    /// targets, so weights and BatchNorm running statistics are no longer their initial values.
    private static func trainedNetwork() throws -> GraphNetwork {
        var generator = SeededRandomNumberGenerator(seed: 11)
        let network = try GraphNetwork(graph: Fixtures.graph, generator: &generator)
        let inputs = Tensor.randomNormal(shape: [16, 1, 6, 6], using: &generator)
        let targets = Tensor.randomNormal(shape: [16, 3], using: &generator)
        Parallelism.withThreadCount(1) {
            for _ in 0..<4 {
                network.zeroGradients()
                let outputs = network.forward(inputs, mode: .training)
                let gradient = Tensor(shape: outputs.shape, scalars: zip(outputs.scalars, targets.scalars).map { ($0 - $1) / 16 })
                _ = network.backward(gradient, needsInputGradient: false)
                for parameter in network.trainableParameters {
                    parameter.value.scalars = zip(parameter.value.scalars, parameter.gradient.scalars).map { $0 - 0.1 * $1 }
                }
            }
        }
        return network
    }

    @Test func saveLoadGivesBitIdenticalOutputs() throws {
        let network = try Self.trainedNetwork()
        let runningMean = try #require(network.parameter(named: "bn1.running_mean"))
        #expect(runningMean.value.scalars.contains { $0 != 0 }, "training should have moved the running statistics")
        var generator = SeededRandomNumberGenerator(seed: 99)
        let probe = Tensor.randomNormal(shape: [5, 1, 6, 6], using: &generator)
        // Pinned to one thread: other tests may change the process-wide thread count meanwhile,
        // and a different split of the batch may round differently.
        let before = Parallelism.withThreadCount(1) { network.forward(probe, mode: .inference) }

        let directory = makeTemporaryDirectory(prefix: "shrink-graph-network")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.shrink"
        try ModelFile(graph: network.graph, parameters: network.parameters, metadata: ModelMetadata()).write(to: path)

        let file = try ModelFile.read(from: path)
        #expect(file.graph == Fixtures.graph)
        let reloaded = try GraphNetwork(file: file)
        let after = Parallelism.withThreadCount(1) { reloaded.forward(probe, mode: .inference) }
        #expect(after.shape == before.shape)
        #expect(after.scalars.map(\.bitPattern) == before.scalars.map(\.bitPattern))
        #expect(reloaded.parameters.map(\.name) == network.parameters.map(\.name))
        for parameter in network.parameters {
            let loaded = try #require(reloaded.parameter(named: parameter.name))
            #expect(loaded.kind == parameter.kind)
            #expect(loaded.value.scalars.map(\.bitPattern) == parameter.value.scalars.map(\.bitPattern))
        }
    }

    @Test func missingTensorIsAnError() throws {
        let network = try Self.trainedNetwork()
        let file = ModelFile(graph: network.graph, parameters: network.parameters.filter { $0.name != "fc1.bias" })
        // The writer refuses a tensor table that lacks a declared weight ...
        #expect(throws: ModelFileError.invalidGraph("no tensor for the weights \"fc1.bias\"")) { try file.encoded() }
        // ... and so does building a network from such a model.
        #expect(throws: ParameterLoadingError.missingTensors(["fc1.bias"])) { try GraphNetwork(file: file) }
    }
}
