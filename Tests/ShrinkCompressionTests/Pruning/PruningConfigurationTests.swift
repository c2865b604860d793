import Testing
@testable import ShrinkCompression

@Suite struct PruningConfigurationTests {
    @Test func invalidMagnitudeConfigurationsAreRejected() {
        func configuration(
            _ method: MagnitudePruningConfiguration.Method, _ layers: PerLayerSettings<Double>, global: Double? = nil,
            schedule: PruningSchedule = .oneShot, epochs: Int? = nil, learningRate: Float? = nil
        ) -> MagnitudePruningConfiguration {
            MagnitudePruningConfiguration(
                method: method, layers: layers, globalSparsity: global, schedule: schedule, fineTuneEpochs: epochs,
                learningRate: learningRate)
        }
        #expect(throws: PruningError.invalidSparsity(setting: "layers.default", value: 1)) {
            try configuration(.layerSparsity, PerLayerSettings(default: 1)).validate()
        }
        #expect(throws: PruningError.invalidSparsity(setting: "layers.layers[fc*]", value: -0.1)) {
            try configuration(.layerSparsity, PerLayerSettings(default: 0.5, layers: [.init(pattern: "fc*", setting: -0.1)])).validate()
        }
        #expect(throws: PruningError.invalidQuality(setting: "layers.layerTypes[conv2d]", value: -1)) {
            try configuration(.standardDeviationThreshold, PerLayerSettings(default: 1, layerTypes: [.init(type: "conv2d", setting: -1)])).validate()
        }
        #expect(throws: PruningError.missingGlobalSparsity) {
            try configuration(.globalSparsity, PerLayerSettings(default: 1)).validate()
        }
        #expect(throws: PruningError.invalidSparsity(setting: "globalSparsity", value: 1.5)) {
            try configuration(.globalSparsity, PerLayerSettings(default: 1), global: 1.5).validate()
        }
        #expect(throws: PruningError.invalidSchedule(reason: "iterations must be at least 1, got 0")) {
            try configuration(.layerSparsity, PerLayerSettings(default: 0.5), schedule: .iterative(iterations: 0, spacing: .linear)).validate()
        }
        #expect(throws: PruningError.invalidSchedule(reason: "endStep 3 must not be before beginStep 5")) {
            try configuration(.layerSparsity, PerLayerSettings(default: 0.5),
                              schedule: .gradual(initialSparsity: 0, beginStep: 5, endStep: 3, frequency: 1)).validate()
        }
        #expect(throws: PruningError.invalidSchedule(reason: "frequency must be at least 1, got 0")) {
            try configuration(.layerSparsity, PerLayerSettings(default: 0.5),
                              schedule: .gradual(initialSparsity: 0, beginStep: 0, endStep: 3, frequency: 0)).validate()
        }
        #expect(throws: PruningError.invalidFineTuning(reason: "fineTuneEpochs must not be negative, got -1")) {
            try configuration(.layerSparsity, PerLayerSettings(default: 0.5), epochs: -1).validate()
        }
        #expect(throws: PruningError.invalidFineTuning(reason: "learningRate must be finite and not negative, got nan")) {
            try configuration(.layerSparsity, PerLayerSettings(default: 0.5), learningRate: .nan).validate()
        }
        #expect(throws: PruningError.invalidSparsity(setting: "layers.default", value: 1)) {
            try StructuredPruningConfiguration(layers: PerLayerSettings(default: 1)).validate()
        }
        // Errors read as one clear line.
        #expect(PruningError.missingGlobalSparsity.description == "method globalSparsity needs a globalSparsity target")
    }

    @Test func selectingNothingIsRejected() throws {
        let model = CompressedModel(network: PruningTestSupport.network(PruningTestSupport.multilayerPerceptron))
        let pruner = try MagnitudePruner(configuration: MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: 0.5, skip: ["fc*"])))
        #expect(throws: PruningError.noLayersSelected) { try pruner.prepare(model: model) }
        #expect(throws: PruningError.notPrepared) { try pruner.step { $0 } }
    }
}
