import Foundation
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
import Testing
@testable import ShrinkCompression

@Suite struct PruningScheduleTests {
    @Test func polynomialTargetAtStartMiddleAndEnd() {
        func target(_ step: Int) -> Double {
            PruningSchedule.polynomialTarget(finalSparsity: 0.9, initialSparsity: 0.1, step: step, beginStep: 100, endStep: 200)
        }
        #expect(target(50) == 0.1) // before t₀: the initial sparsity
        #expect(target(100) == 0.1)
        // halfway: 0.9 + (0.1 − 0.9) · 0.5³ = 0.9 − 0.1 = 0.8
        #expect(abs(target(150) - 0.8) < 1e-12)
        // a quarter: 0.9 − 0.8 · 0.75³ = 0.5625
        #expect(abs(target(125) - 0.5625) < 1e-12)
        #expect(target(200) == 0.9)
        #expect(target(300) == 0.9)
        // An initial sparsity above the final one is capped.
        #expect(PruningSchedule.polynomialTarget(finalSparsity: 0.3, initialSparsity: 0.5, step: 0, beginStep: 0, endStep: 10) == 0.3)
    }

    @Test func gradualUpdatesEveryFrequencyStepsAndAtTheEnd() {
        let schedule = PruningSchedule.gradual(initialSparsity: 0, beginStep: 2, endStep: 12, frequency: 4)
        #expect((0...15).filter { schedule.updatesMasks(atStep: $0) } == [2, 6, 10, 12])
        #expect((0...5).filter { PruningSchedule.constant(beginStep: 3).updatesMasks(atStep: $0) } == [3])
        #expect(!PruningSchedule.oneShot.updatesMasks(atStep: 0))
    }

    @Test func iterativeTargetsLinearAndGeometric() {
        let linear = (1...3).map {
            PruningSchedule.iterativeTarget(finalSparsity: 0.9, iteration: $0, iterations: 3, spacing: .linear)
        }
        #expect(abs(linear[0] - 0.3) < 1e-12 && abs(linear[1] - 0.6) < 1e-12 && linear[2] == 0.9)
        // kept fraction 0.125 = 0.5³: 50 %, 75 %, 87.5 %
        let geometric = (1...3).map {
            PruningSchedule.iterativeTarget(finalSparsity: 0.875, iteration: $0, iterations: 3, spacing: .geometric)
        }
        #expect(abs(geometric[0] - 0.5) < 1e-12 && abs(geometric[1] - 0.75) < 1e-12 && geometric[2] == 0.875)
    }

    @Test func scheduleDecodesFromJSON() throws {
        let json = #"{"method": "layerSparsity", "layers": {"default": 0.8}, "schedule": {"gradual": {"initialSparsity": 0, "beginStep": 0, "endStep": 4, "frequency": 2}}}"#
        let decoded = try JSONDecoder().decode(MagnitudePruningConfiguration.self, from: Data(json.utf8))
        #expect(decoded.schedule == .gradual(initialSparsity: 0, beginStep: 0, endStep: 4, frequency: 2))
        #expect(decoded.pruneBiases == false && decoded.fineTuneEpochs == nil)
        let roundTrip = try JSONDecoder().decode(
            MagnitudePruningConfiguration.self, from: JSONEncoder().encode(decoded))
        #expect(roundTrip == decoded)
    }
}

@Suite struct MagnitudePruningStepTests {
    static let optimizers: [OptimizerConfiguration] = [
        .sgd(momentum: 0.9, weightDecay: 0.01, nesterov: false),
        .sgd(momentum: 0.9, weightDecay: 0.01, nesterov: true),
        .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01),
        .adamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01),
    ]

    @Test(arguments: optimizers)
    func prunedWeightsStayExactlyZeroDuringFineTuning(optimizer: OptimizerConfiguration) throws {
        let network = PruningTestSupport.network(PruningTestSupport.multilayerPerceptron)
        let model = CompressedModel(network: network)
        var epochs = 0
        let context = PruningTestSupport.context(optimizer: optimizer, epochs: 2) { progress in
            if case .fineTuningEpoch = progress { epochs += 1 }
        }
        let step = try MagnitudePruningStep(configuration: MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: 0.5, skip: ["fc3"])))
        // Record the masks right after pruning by running the pruner's first step alone.
        let reference = CompressedModel(network: PruningTestSupport.network(PruningTestSupport.multilayerPerceptron))
        let pruner = try MagnitudePruner(configuration: step.configuration)
        try pruner.prepare(model: reference)
        try pruner.step { $0 }
        let prunedValues = reference.network.parameter(named: "fc1.weight")!.value

        let report = try step.apply(to: model, context: context)
        #expect(epochs == 2)
        for name in ["fc1.weight", "fc2.weight"] {
            let mask = try #require(model.parameterStates[name]?.mask)
            #expect(mask == reference.parameterStates[name]?.mask)
            let value = network.parameter(named: name)!.value
            for index in 0..<value.count where mask.scalars[index] == 0 { #expect(value.scalars[index] == 0) }
        }
        // Training did change the surviving weights (the check above is not vacuous).
        let trained = network.parameter(named: "fc1.weight")!.value
        #expect(zip(trained.scalars, prunedValues.scalars).contains { $0.0 != 0 && $0.0 != $0.1 })
        #expect(report.layers.map(\.nonZero) == [12, 6])
        #expect(report.accuracyAfter != nil && model.stepReports.count == 1)
    }

    @Test func iterativeScheduleReachesTheFinalTargetThroughIntermediateOnes() throws {
        let network = PruningTestSupport.network(PruningTestSupport.multilayerPerceptron)
        let model = CompressedModel(network: network)
        var advanced: [String] = []
        let context = PruningTestSupport.context(epochs: 1) { progress in
            if case let .phaseAdvanced(_, _, _, detail) = progress { advanced.append(detail) }
        }
        let step = try MagnitudePruningStep(configuration: MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: nil, layers: [.init(pattern: "fc1", setting: 0.75)]),
            schedule: .iterative(iterations: 2, spacing: .geometric)))
        let report = try step.apply(to: model, context: context)
        #expect(advanced.count == 2)
        #expect(report.layers.count == 1 && report.layers[0].nonZero == 6) // 24 · (1 − 0.75)
    }

    @Test func gradualScheduleUpdatesMasksDuringFineTuning() throws {
        // 64 samples / batch 16 = 4 steps per epoch, 2 epochs = 8 steps.
        let network = PruningTestSupport.network(PruningTestSupport.multilayerPerceptron)
        let model = CompressedModel(network: network)
        var updates: [String] = []
        let context = PruningTestSupport.context(epochs: 2) { progress in
            if case let .phaseAdvanced(_, _, _, detail) = progress { updates.append(detail) }
        }
        let step = try MagnitudePruningStep(configuration: MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: nil, layers: [.init(pattern: "fc1", setting: 0.75)]),
            schedule: .gradual(initialSparsity: 0.25, beginStep: 1, endStep: 7, frequency: 3)))
        let report = try step.apply(to: model, context: context)
        #expect(updates == ["masks updated at step 1", "masks updated at step 4", "masks updated at step 7"])
        #expect(report.layers[0].nonZero == 6)
        let mask = try #require(model.parameterStates["fc1.weight"]?.mask)
        #expect(mask.scalars.filter { $0 == 0 }.count == 18)

        // The hook's intermediate targets: 0.25 at step 1, 0.75 − 0.5 · 0.5³ = 0.6875 at step 4.
        let fresh = CompressedModel(network: PruningTestSupport.network(PruningTestSupport.multilayerPerceptron))
        let pruner = try MagnitudePruner(configuration: step.configuration)
        try pruner.prepare(model: fresh)
        let hook = ScheduledPruningConstraint(pruner: pruner, schedule: step.configuration.schedule)
        #expect(hook.target(finalSparsity: 0.75, atStep: 1) == 0.25)
        #expect(abs(hook.target(finalSparsity: 0.75, atStep: 4) - 0.6875) < 1e-12)
        // Driving the hook by hand: zeros in fc1.weight after each call (steps 0...7).
        var zeros: [Int] = []
        for _ in 0..<8 {
            hook.apply(to: fresh.network.parameters)
            zeros.append(PruningTestSupport.zeroPositions(of: fresh.network.parameter(named: "fc1.weight")!.value).count)
        }
        // round(0.25 · 24) = 6; round(0.6875 · 24) = round(16.5) = 17; 18 at the end.
        #expect(zeros == [0, 6, 6, 6, 17, 17, 17, 18])
    }

    @Test func constantScheduleFixesTheMaskAtItsBeginStep() throws {
        let network = PruningTestSupport.network(PruningTestSupport.multilayerPerceptron)
        let model = CompressedModel(network: network)
        let pruner = try MagnitudePruner(configuration: MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: nil, layers: [.init(pattern: "fc2", setting: 0.5)])))
        try pruner.prepare(model: model)
        let hook = ScheduledPruningConstraint(pruner: pruner, schedule: .constant(beginStep: 2))
        hook.apply(to: network.parameters) // step 0
        hook.apply(to: network.parameters) // step 1
        #expect(model.parameterStates["fc2.weight"] == nil)
        hook.apply(to: network.parameters) // step 2: prunes
        let mask = try #require(model.parameterStates["fc2.weight"]?.mask)
        #expect(mask.scalars.filter { $0 == 0 }.count == 6)
        // A later "optimizer step" that revives pruned weights is undone by the next call.
        let weight = network.parameter(named: "fc2.weight")!
        weight.value = Tensor(repeating: 0.5, shape: weight.value.shape)
        hook.apply(to: network.parameters) // step 3
        #expect(weight.value.scalars.filter { $0 == 0 }.count == 6)
        #expect(model.parameterStates["fc2.weight"]?.mask == mask)
    }

    @Test func scheduleLongerThanFineTuningIsRejected() throws {
        let step = try MagnitudePruningStep(configuration: MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: 0.5),
            schedule: .gradual(initialSparsity: 0, beginStep: 0, endStep: 9, frequency: 1)))
        let model = CompressedModel(network: PruningTestSupport.network(PruningTestSupport.multilayerPerceptron))
        #expect(throws: PruningError.scheduleExceedsFineTuning(neededSteps: 9, availableSteps: 8)) {
            try step.apply(to: model, context: PruningTestSupport.context(epochs: 2))
        }
    }
}
