import Foundation
import ShrinkData
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
import Testing
@testable import ShrinkCompression

/// End-to-end checks of the steps on a tiny classifier (4 → 8 → 3) and separable synthetic data.
@Suite struct QuantizationStepTests {
    static func makeModel(seed: UInt64 = 1) throws -> CompressedModel {
        var builder = GraphBuilder(name: "tiny", inputShape: [4])
        var x = builder.add("fc1", LinearOperator(inputFeatures: 4, outputFeatures: 8), builder.input)
        x = builder.add("relu1", ReLUOperator(), x)
        builder.add("fc2", LinearOperator(inputFeatures: 8, outputFeatures: 3), x)
        var generator = SeededRandomNumberGenerator(seed: seed)
        return CompressedModel(network: try GraphNetwork(graph: builder.finish(), generator: &generator))
    }

    static func makeContext(samples: Int = 96) -> CompressionContext {
        var generator = SeededRandomNumberGenerator(seed: 7)
        var inputs = [Float]()
        var labels = [Int]()
        for index in 0..<samples {
            let label = index % 3
            for feature in 0..<4 { inputs.append(generator.nextNormal() * 0.3 + (feature == label ? 2 : 0)) }
            labels.append(label)
        }
        let dataset = LabeledDataset(inputs: Tensor(shape: [samples, 4], scalars: inputs), labels: labels, classCount: 3)
        let fineTuning = TrainingConfiguration(
            epochs: 1, batchSize: 16, optimizer: .sgd(momentum: 0.9, weightDecay: 0, nesterov: false), baseLearningRate: 0.05, seed: 3)
        return CompressionContext(training: dataset, validation: dataset, fineTuning: fineTuning)
    }

    /// Whether every value of `parameter` lies on its recorded grid.
    static func isOnGrid(_ parameter: Parameter, _ quantization: QuantizationParameters) -> Bool {
        AffineQuantization.fakeQuantize(parameter.value, with: quantization) == parameter.value
    }

    @Test func weightOnlyStepQuantizesPerLayerSettings() throws {
        let model = try Self.makeModel()
        let configuration = try JSONDecoder().decode(WeightQuantizationStep.Configuration.self, from: Data(#"""
        {"layers": {"default": {"bits": 4, "isPerChannel": true},
                    "layers": [{"pattern": "fc2", "setting": {"bits": 2, "isSymmetric": true}}]}}
        """#.utf8))
        let report = try WeightQuantizationStep(configuration: configuration).apply(to: model, context: Self.makeContext())
        let fc1 = try #require(model.parameterStates["fc1.weight"]?.quantization)
        let fc2 = try #require(model.parameterStates["fc2.weight"]?.quantization)
        #expect(fc1.bits == 4 && fc1.axis == 0 && fc1.scales.count == 8)
        #expect(fc2.bits == 2 && fc2.axis == nil && fc2.scales.count == 1)
        #expect(Self.isOnGrid(model.network.parameter(named: "fc1.weight")!, fc1))
        let distinct = Set(model.network.parameter(named: "fc2.weight")!.value.scalars)
        #expect(distinct.count <= 3) // ternary
        #expect(report.layers.map(\.bits) == [4, 2])
        #expect(report.accuracyAfter != nil && model.stepReports.count == 1)
        #expect(model.activationQuantization.isEmpty && model.dynamicActivationQuantization.isEmpty)

        let invalid = WeightQuantizationStep(configuration: .init(layers: PerLayerSettings(default: QuantizationScheme(bits: 1))))
        #expect(throws: QuantizationError.self) { try invalid.apply(to: model, context: Self.makeContext()) }
    }

    @Test func int8StaticRecordsInputParametersFromCalibration() throws {
        let model = try Self.makeModel()
        let context = Self.makeContext()
        let floatAccuracy = try Self.train(model, context)
        let step = Int8StaticQuantizationStep(configuration: .init(observer: .percentile(percent: 99), calibrationBatches: 3, calibrationBatchSize: 16))
        let report = try step.apply(to: model, context: context)
        for name in ["fc1", "fc2"] {
            let weight = try #require(model.parameterStates["\(name).weight"]?.quantization)
            #expect(weight.bits == 8 && weight.isSigned && weight.isSymmetric && weight.axis == 0 && weight.zeroPoints.allSatisfy { $0 == 0 })
            #expect(Self.isOnGrid(model.network.parameter(named: "\(name).weight")!, weight))
            let input = try #require(model.activationQuantization[name])
            #expect(input.bits == 8 && !input.isSigned && !input.isSymmetric && input.axis == nil)
        }
        // The ReLU output feeding fc2 is non-negative: zero point 0.
        #expect(model.activationQuantization["fc2"]!.zeroPoints == [0])
        // The calibration ranges come from the sampled batches: recompute them by hand.
        let batches = Int8StaticQuantizationStep.calibrationBatches(from: context.training, count: 3, size: 16, seed: 0)
        var observer = PercentileObserver(percent: 99)
        for batch in batches { observer.observe(batch.inputs) }
        let expected = try AffineQuantization.parameters(for: try observer.range(), scheme: .activations(bits: 8))
        #expect(model.activationQuantization["fc1"] == expected)
        #expect(report.layers.count == 2 && report.layers[0].note!.contains("per-channel"))
        // The simulated network quantizes fc1's input with the recorded parameters.
        let simulation = QuantizedSimulationNetwork.make(model: model)
        let probe = context.validation.batch(at: 0..<8).inputs
        let direct = model.network.kernel(ofNode: 0).forward([AffineQuantization.fakeQuantize(probe, with: expected)], mode: .inference)
        #expect(simulation.kernel(ofNode: 0).forward([probe], mode: .inference) == direct)
        #expect(floatAccuracy > 0.9 && report.accuracyAfter! >= floatAccuracy - 0.05)
    }

    /// Trains the tiny model for a few epochs; returns its float accuracy.
    static func train(_ model: CompressedModel, _ context: CompressionContext) throws -> Double {
        var configuration = context.fineTuning
        configuration.epochs = 5
        try Trainer().train(model: model.network, on: context.training, configuration: configuration)
        return Evaluator.evaluate(model: model.network, on: context.validation).top1Accuracy
    }

    @Test func int8DynamicMarksLayersForPerBatchActivations() throws {
        let model = try Self.makeModel()
        let step = Int8DynamicQuantizationStep(configuration: .init(layers: PerLayerSettings(default: Int8LayerSetting(), skip: ["fc2"])))
        _ = try step.apply(to: model, context: Self.makeContext())
        #expect(model.dynamicActivationQuantization == ["fc1": .activations(bits: 8)])
        #expect(model.parameterStates["fc1.weight"]?.quantization?.bits == 8)
        #expect(model.parameterStates["fc2.weight"] == nil)
        let simulation = QuantizedSimulationNetwork.make(model: model)
        #expect((simulation.kernel(ofNode: 0) as? QuantizedSimulationKernel)?.input == .dynamic(.activations(bits: 8)))
        #expect(!(simulation.kernel(ofNode: 2) is QuantizedSimulationKernel))
        #expect(simulation.parameters.map { ObjectIdentifier($0) } == model.network.parameters.map { ObjectIdentifier($0) })
    }

    @Test func quantizationAwareTrainingFinalizesToAPlainNetwork() throws {
        let model = try Self.makeModel()
        let floatAccuracy = try Self.train(model, Self.makeContext())
        let originalNetwork = model.network
        let setting = QuantizationAwareTrainingStep.LayerSetting(weights: .weights(bits: 4), activationBits: 8)
        let step = QuantizationAwareTrainingStep(configuration: .init(layers: PerLayerSettings(default: setting), epochs: 2, learningRate: 0.02))
        var epochs = 0
        var context = Self.makeContext()
        context.progress = { if case .fineTuningEpoch = $0 { epochs += 1 } }
        let report = try step.apply(to: model, context: context)
        #expect(epochs == 2)
        #expect(model.network === originalNetwork) // the same plain network, no wrappers left
        for name in ["fc1", "fc2"] {
            let weight = try #require(model.parameterStates["\(name).weight"]?.quantization)
            #expect(weight.bits == 4 && weight.axis == 0)
            #expect(Self.isOnGrid(model.network.parameter(named: "\(name).weight")!, weight))
            #expect(model.activationQuantization[name]?.bits == 8)
        }
        #expect(floatAccuracy > 0.9 && report.accuracyAfter! >= floatAccuracy - 0.05)
        #expect(throws: QuantizationError.self) {
            try QuantizationAwareTrainingStep(configuration: .init(layers: PerLayerSettings(default: setting), epochs: 0)).apply(to: model, context: context)
        }
    }

    @Test func float16StepRoundsAndMarks() throws {
        let model = try Self.makeModel()
        let before = model.network.parameter(named: "fc1.weight")!.value
        _ = try Float16Step(configuration: .init(layers: PerLayerSettings(default: .init(includesBias: false)))).apply(to: model, context: Self.makeContext())
        let after = model.network.parameter(named: "fc1.weight")!.value
        #expect(after.scalars == before.scalars.map { Float(Float16($0)) })
        #expect(model.parameterStates["fc1.weight"]?.storesFloat16 == true)
        #expect(model.parameterStates["fc1.bias"] == nil)
    }

    @Test func staticConfigurationDecodesWithDefaultsAndValidates() throws {
        let decoded = try JSONDecoder().decode(Int8StaticQuantizationStep.Configuration.self, from: Data(#"{"observer": {"entropy": {}}}"#.utf8))
        #expect(decoded.observer == .entropy && decoded.calibrationBatches == 10 && decoded.layers.default == Int8LayerSetting())
        #expect(throws: QuantizationError.self) { try Int8StaticQuantizationStep.Configuration(calibrationBatches: 0).validate() }
    }
}
