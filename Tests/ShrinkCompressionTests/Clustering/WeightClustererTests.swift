import Foundation
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
import Testing
@testable import ShrinkCompression

@Suite struct WeightClustererTests {
    /// A model whose `fc1.weight` holds hand-picked values with two pruned positions.
    func prunedModel() -> (CompressedModel, Parameter) {
        let network = ClusteringTestSupport.multilayerPerceptron(hidden: 2)
        let weight = network.parameter(named: "fc1.weight")!
        weight.value = Tensor(shape: [2, 4], scalars: [-1.0, -0.9, 0, 0.5, 1.0, 1.1, 0, -0.95])
        let model = CompressedModel(network: network)
        model.parameterStates["fc1.weight"] = ParameterCompressionState(
            mask: Tensor(shape: [2, 4], scalars: [1, 1, 0, 1, 1, 1, 0, 1]))
        return (model, weight)
    }

    func configuration(fc1Bits: Int, fineTuning: WeightClusteringConfiguration.FineTuning? = nil) -> WeightClusteringConfiguration {
        WeightClusteringConfiguration(
            bits: PerLayerSettings(default: nil, layers: [.init(pattern: "fc1", setting: .init(bits: fc1Bits))]),
            initialization: .linear, fineTuning: fineTuning)
    }

    @Test func prunedWeightsAreExcludedAndStayZero() throws {
        let (model, weight) = prunedModel()
        let clusterer = try WeightClusterer(configuration: configuration(fc1Bits: 2))
        try clusterer.prepare(model: model)
        #expect(clusterer.targets.map(\.parameter.name) == ["fc1.weight"])
        try clusterer.cluster()
        clusterer.finalize(model: model)
        // Kept: −1, −0.95, −0.9, 0.5, 1.0, 1.1; linear init with 3 learned centroids [−1, 0.05, 1.1]
        // → {−1, −0.95, −0.9}, {0.5}, {1.0, 1.1} → means −0.95, 0.5, 1.05 (converged).
        let palette = try #require(model.parameterStates["fc1.weight"]?.palette)
        #expect(palette.bits == 2)
        #expect(palette.centroids.count == 4 && palette.centroids[0] == 0)
        #expect(abs(palette.centroids[1] + 0.95) < 1e-6 && palette.centroids[2] == 0.5 && abs(palette.centroids[3] - 1.05) < 1e-6)
        #expect(palette.indices == [1, 1, 0, 2, 3, 3, 0, 1])
        #expect(weight.value.scalars == palette.indices.map { palette.centroids[Int($0)] })
        #expect(weight.value.scalars[2] == 0 && weight.value.scalars[6] == 0)
        #expect(model.parameterStates["fc1.weight"]?.mask != nil)
        // fc2 has no setting: untouched.
        #expect(model.parameterStates["fc2.weight"] == nil)

        let report = clusterer.report()
        #expect(report.count == 1)
        #expect(report[0].bits == 2 && report[0].clusters == 3 && report[0].nonZero == 6 && report[0].elements == 8)
        #expect(report[0].note?.contains("converged") == true)
    }

    @Test func unprunedLayersUseEveryCode() throws {
        let network = ClusteringTestSupport.multilayerPerceptron(hidden: 2)
        let weight = network.parameter(named: "fc1.weight")!
        weight.value = Tensor(shape: [2, 4], scalars: [-1.0, -0.9, 0, 0.5, 1.0, 1.1, 0, -0.95])
        let model = CompressedModel(network: network)
        let clusterer = try WeightClusterer(configuration: configuration(fc1Bits: 2))
        try clusterer.prepare(model: model)
        try clusterer.cluster()
        clusterer.finalize(model: model)
        // Linear init [−1, −1/3, 1/3, 1.1] → {−1, −0.95, −0.9}, {0, 0}, {0.5}, {1.0, 1.1}.
        let palette = try #require(model.parameterStates["fc1.weight"]?.palette)
        #expect(palette.centroids.count == 4)
        #expect(palette.centroids[1] == 0 && palette.centroids[2] == 0.5)
        #expect(palette.indices == [0, 0, 1, 2, 3, 3, 1, 0])
        #expect(clusterer.report()[0].clusters == 4)
    }

    @Test func fineTuningKeepsIndicesSharingAndPrunedZeros() throws {
        let (model, weight) = prunedModel()
        let context = ClusteringTestSupport.context()
        let clusterer = try WeightClusterer(
            configuration: configuration(fc1Bits: 2, fineTuning: .init(epochs: 2, learningRate: 0.01)))
        try clusterer.prepare(model: model)
        try clusterer.cluster()
        let before = try #require(clusterer.constraint?.sharedWeights["fc1.weight"]?.palette)
        let biasBefore = model.network.parameter(named: "fc1.bias")!.value
        try clusterer.fineTune(model: model, context: context)
        clusterer.finalize(model: model)
        let after = try #require(model.parameterStates["fc1.weight"]?.palette)
        #expect(after.indices == before.indices)
        #expect(after.centroids[0] == 0)
        #expect(after.centroids != before.centroids)
        #expect(weight.value.scalars == after.indices.map { after.centroids[Int($0)] })
        #expect(weight.value.scalars[2] == 0 && weight.value.scalars[6] == 0)
        #expect(model.network.parameter(named: "fc1.bias")!.value != biasBefore)
    }

    @Test func stepClustersFineTunesAndReports() throws {
        let network = ClusteringTestSupport.multilayerPerceptron(hidden: 8)
        let model = CompressedModel(network: network)
        let context0 = ClusteringTestSupport.context(epochs: 4)
        try Trainer().train(model: network, on: context0.training, configuration: context0.fineTuning)
        var events = [CompressionProgress]()
        let context = ClusteringTestSupport.context(progress: { events.append($0) })
        let step = WeightClusteringStep(configuration: WeightClusteringConfiguration(
            bits: PerLayerSettings(default: .init(bits: 3), layers: [.init(pattern: "fc2", setting: .init(bits: 2))]),
            initialization: .kMeansPlusPlus, seed: 4, fineTuning: .init(epochs: 1, learningRate: 0.001)))
        let report = try step.apply(to: model, context: context)
        #expect(report.kind == "weight-clustering")
        #expect(report.layers.map(\.parameter) == ["fc1.weight", "fc2.weight"])
        #expect(report.layers.map(\.bits) == [3, 2])
        #expect(report.layers.allSatisfy { ($0.clusters ?? 0) >= 1 && $0.clusters! <= 1 << $0.bits! })
        #expect(report.accuracyAfter != nil)
        #expect(model.stepReports == [report])
        for name in ["fc1.weight", "fc2.weight"] {
            let palette = try #require(model.parameterStates[name]?.palette)
            let value = network.parameter(named: name)!.value
            #expect(value.scalars == palette.indices.map { palette.centroids[Int($0)] })
            #expect(Set(value.scalars).count <= 1 << palette.bits)
        }
        #expect(events.contains { if case .phaseAdvanced(_, "k-means", 2, _) = $0 { true } else { false } })
        #expect(events.contains { if case .fineTuningEpoch = $0 { true } else { false } })
    }

    @Test func clusteringKeepsAccuracyAtFourBits() throws {
        let network = ClusteringTestSupport.multilayerPerceptron(hidden: 16)
        let context = ClusteringTestSupport.context(trainingCount: 512, epochs: 6)
        try Trainer().train(model: network, on: context.training, configuration: context.fineTuning)
        let accuracyBefore = Evaluator.evaluate(model: network, on: context.validation).top1Accuracy
        let model = CompressedModel(network: network)
        let report = try WeightClusteringStep(configuration: WeightClusteringConfiguration(
            bits: PerLayerSettings(default: .init(bits: 4)))).apply(to: model, context: context)
        #expect(accuracyBefore > 0.9)
        #expect(try #require(report.accuracyAfter) > accuracyBefore - 0.03)
    }
}

@Suite struct WeightClusteringConfigurationTests {
    @Test func validationRejectsOutOfRangeSettings() {
        func error(_ configuration: WeightClusteringConfiguration) -> WeightClusteringError? {
            do { try configuration.validate(); return nil } catch { return error }
        }
        #expect(error(.init(bits: PerLayerSettings(default: .init(bits: 0)))) == .invalidBits(bits: 0, setting: "the default"))
        #expect(error(.init(bits: PerLayerSettings(default: .init(bits: 5), layerTypes: [.init(type: "conv2d", setting: .init(bits: 17))])))
            == .invalidBits(bits: 17, setting: "layer type conv2d"))
        #expect(error(.init(bits: PerLayerSettings(default: nil, layers: [.init(pattern: "fc*", setting: .init(bits: -1))])))
            == .invalidBits(bits: -1, setting: "layers matching fc*"))
        #expect(error(.init(bits: PerLayerSettings(default: .init(bits: 5)), maximumIterations: 0))
            == .invalidSetting(name: "maximumIterations", value: "0", expected: "at least 1"))
        let five = PerLayerSettings<WeightClusteringConfiguration.LayerSetting>(default: .init(bits: 5))
        if case .invalidSetting(name: "fineTuning.learningRate", _, _) = error(.init(bits: five, fineTuning: .init(epochs: 1, learningRate: 0))) {
        } else { Issue.record("a zero learning rate should be rejected") }
        if case .invalidSetting(name: "fineTuning.momentum", _, _) = error(.init(bits: five, fineTuning: .init(epochs: 1, learningRate: 0.1, momentum: 1))) {
        } else { Issue.record("momentum 1 should be rejected") }
        if case .invalidSetting(name: "fineTuning.epochs", _, _) = error(.init(bits: five, fineTuning: .init(epochs: -1, learningRate: 0.1))) {
        } else { Issue.record("negative epochs should be rejected") }
        #expect(error(.init(bits: five, fineTuning: .init(epochs: 0, learningRate: 0.1))) == nil)
        #expect(WeightClusteringError.invalidBits(bits: 0, setting: "the default").description.contains("1...16"))
    }

    @Test func noSelectedLayerIsAnError() throws {
        let model = CompressedModel(network: ClusteringTestSupport.multilayerPerceptron())
        let clusterer = try WeightClusterer(configuration: .init(bits: PerLayerSettings(default: .init(bits: 5), skip: ["fc*"])))
        #expect(throws: WeightClusteringError.noLayersSelected(available: ["fc1", "fc2"])) { try clusterer.prepare(model: model) }
    }

    @Test func decodesWithDefaults() throws {
        let json = #"""
        {"bits": {"default": {"bits": 5}, "layerTypes": [{"type": "conv2d", "setting": {"bits": 8}}]},
         "initialization": "kmeans++", "fineTuning": {"epochs": 2, "learningRate": 0.001}}
        """#
        let decoded = try JSONDecoder().decode(WeightClusteringConfiguration.self, from: Data(json.utf8))
        #expect(decoded.initialization == .kMeansPlusPlus)
        #expect(decoded.maximumIterations == 300 && decoded.seed == 0)
        #expect(decoded.fineTuning == .init(epochs: 2, learningRate: 0.001, momentum: 0.9))
        #expect(decoded.bits.resolve(layerName: "conv1", layerType: "conv2d")?.bits == 8)
        #expect(decoded.bits.resolve(layerName: "fc1", layerType: "linear")?.bits == 5)
        let roundTrip = try JSONDecoder().decode(WeightClusteringConfiguration.self, from: JSONEncoder().encode(decoded))
        #expect(roundTrip == decoded)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(WeightClusteringConfiguration.self, from: Data(#"{"bits": {}, "initialization": "uniform"}"#.utf8))
        }
    }
}
