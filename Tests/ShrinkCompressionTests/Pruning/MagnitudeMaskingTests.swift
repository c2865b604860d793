import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkCompression

@Suite struct MagnitudeMaskingTests {
    @Test func standardDeviationIsThePopulationDeviation() {
        // mean 0, Σw² = 9 + 1 + 1 + 9 = 20 → std = √(20 / 4) = √5
        let tensor = Tensor(shape: [2, 2], scalars: [-3, -1, 1, 3])
        #expect(abs(MagnitudeMasking.standardDeviation(of: tensor) - 5.0.squareRoot()) < 1e-12)
        // mean 2, deviations −1, 1 → std 1
        #expect(MagnitudeMasking.standardDeviation(of: Tensor(shape: [2], scalars: [1, 3])) == 1)
    }

    @Test func standardDeviationThresholdPrunesBelowQualityTimesStd() throws {
        let network = PruningTestSupport.network(PruningTestSupport.multilayerPerceptron)
        // fc2.weight [3, 4]: mean 0, Σw² = 4·(0.25 + 1 + 4) = 21, std = √(21 / 12).
        let values: [Float] = [0.5, -0.5, 1, -1, 2, -2, 0.5, -0.5, 1, -1, 2, -2]
        network.parameter(named: "fc2.weight")!.value = Tensor(shape: [3, 4], scalars: values)
        let std = (values.reduce(0.0) { $0 + Double($1 * $1) } / 12).squareRoot() // √(21/12) ≈ 1.3229
        let model = CompressedModel(network: network)
        let pruner = try MagnitudePruner(configuration: MagnitudePruningConfiguration(
            method: .standardDeviationThreshold,
            layers: PerLayerSettings(default: nil, layers: [.init(pattern: "fc2", setting: 1.0)])))
        try pruner.prepare(model: model)
        // threshold = 1 · 1.3229: prunes |w| ∈ {0.5, 1} (8 of 12), keeps the ±2.
        #expect(pruner.targets.map(\.parameter) == ["fc2.weight"])
        #expect(abs(Double(pruner.targets[0].threshold!) - std) < 1e-6)
        #expect(pruner.targets[0].finalSparsity == 8.0 / 12.0)
        try pruner.step { $0 }
        let weight = network.parameter(named: "fc2.weight")!.value
        #expect(weight.scalars == [0, 0, 0, 0, 2, -2, 0, 0, 0, 0, 2, -2])
        #expect(model.parameterStates["fc2.weight"]?.mask?.scalars == [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1])
        // Biases are not pruned by default, other layers are untouched.
        #expect(model.parameterStates["fc2.bias"] == nil && model.parameterStates["fc1.weight"] == nil)
    }

    @Test func kthSmallestPrunesExactlyRoundedCountWithTiesByIndex() {
        let values = Tensor(shape: [6], scalars: [0.2, -0.1, 0.2, 0.3, 0.2, 0.1])
        // 0.5 · 6 = 3: the two 0.1s, then of the tied 0.2s the lowest index (0).
        let half = MagnitudeMasking.mask(for: values, existing: nil, prunedCount: MagnitudeMasking.prunedCount(sparsity: 0.5, elements: 6))
        #expect(half.scalars == [0, 0, 1, 1, 1, 0])
        // 0.4 · 6 = 2.4 → 2; 0.25 · 6 = 1.5 → 2 (halves away from zero); 0.75 · 6 = 4.5 → 5.
        #expect(MagnitudeMasking.prunedCount(sparsity: 0.4, elements: 6) == 2)
        #expect(MagnitudeMasking.prunedCount(sparsity: 0.25, elements: 6) == 2)
        #expect(MagnitudeMasking.prunedCount(sparsity: 0.75, elements: 6) == 5)
        let five = MagnitudeMasking.mask(for: values, existing: nil, prunedCount: 5)
        #expect(five.scalars == [0, 0, 0, 1, 0, 0])
        #expect(MagnitudeMasking.mask(for: values, existing: nil, prunedCount: 0).scalars == [1, 1, 1, 1, 1, 1])
    }

    @Test func globalThresholdRanksAcrossLayers() {
        let first = Tensor(shape: [2, 2], scalars: [0.1, 0.5, 0.9, -0.3])
        let second = Tensor(shape: [2], scalars: [0.2, 0.4])
        // 0.5 · 6 = 3 smallest overall: 0.1 (first), 0.2 (second), 0.3 (first): 50 % / 50 %
        // here by coincidence; at 4: + 0.4 (second) → first 50 %, second 100 %.
        let masks = MagnitudeMasking.globalMasks(for: [first, second], existing: [nil, nil], prunedCount: 3)
        #expect(masks[0].scalars == [0, 1, 1, 0] && masks[1].scalars == [0, 1])
        let four = MagnitudeMasking.globalMasks(for: [first, second], existing: [nil, nil], prunedCount: 4)
        #expect(four[0].scalars == [0, 1, 1, 0] && four[1].scalars == [0, 0])
        // Ties across tensors: the earlier tensor goes first.
        let tied = MagnitudeMasking.globalMasks(
            for: [Tensor(shape: [1], scalars: [0.5]), Tensor(shape: [1], scalars: [-0.5])], existing: [nil, nil], prunedCount: 1)
        #expect(tied[0].scalars == [0] && tied[1].scalars == [1])
    }

    @Test func globalPruningStepReachesTheOverallTarget() throws {
        let network = PruningTestSupport.network(PruningTestSupport.multilayerPerceptron)
        let model = CompressedModel(network: network)
        let pruner = try MagnitudePruner(configuration: MagnitudePruningConfiguration(
            method: .globalSparsity, layers: PerLayerSettings(default: 1, skip: ["fc3"]), globalSparsity: 0.75))
        try pruner.prepare(model: model)
        try pruner.step { $0 }
        let fc1 = network.parameter(named: "fc1.weight")!.value, fc2 = network.parameter(named: "fc2.weight")!.value
        let zeros = PruningTestSupport.zeroPositions(of: fc1).count + PruningTestSupport.zeroPositions(of: fc2).count
        #expect(zeros == 27) // round(0.75 · 36)
        // Every kept weight is at least as large as every pruned one, across both layers.
        let kept = (fc1.scalars + fc2.scalars).filter { $0 != 0 }.map(abs)
        let originalNetwork = PruningTestSupport.network(PruningTestSupport.multilayerPerceptron)
        let original = originalNetwork.parameter(named: "fc1.weight")!.value.scalars + originalNetwork.parameter(named: "fc2.weight")!.value.scalars
        let pruned = zip(original, fc1.scalars + fc2.scalars).filter { $0.1 == 0 }.map { abs($0.0) }
        #expect(kept.min()! >= pruned.max()!)
        #expect(model.parameterStates["fc3.weight"] == nil)
    }

    @Test func masksCombineWithExistingMasks() throws {
        let values = Tensor(shape: [4], scalars: [0.9, 0.8, 0.1, 0.2])
        let existing = Tensor(shape: [4], scalars: [0, 1, 1, 1])
        // The already-pruned element counts first, then the smallest magnitude.
        #expect(MagnitudeMasking.mask(for: values, existing: existing, prunedCount: 2).scalars == [0, 1, 0, 1])
        // A lower target never revives pruned elements.
        let twoPruned = Tensor(shape: [4], scalars: [0, 0, 1, 1])
        #expect(MagnitudeMasking.mask(for: values, existing: twoPruned, prunedCount: 1).scalars == [0, 0, 1, 1])

        // Through the pruner: a second, milder pass keeps everything the first pruned.
        let network = PruningTestSupport.network(PruningTestSupport.multilayerPerceptron)
        let model = CompressedModel(network: network)
        let strong = try MagnitudePruner(configuration: MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: nil, layers: [.init(pattern: "fc1", setting: 0.5)])))
        try strong.prepare(model: model)
        try strong.step { $0 }
        let firstMask = model.parameterStates["fc1.weight"]!.mask!
        let mild = try MagnitudePruner(configuration: MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: nil, layers: [.init(pattern: "fc1", setting: 0.25)])))
        try mild.prepare(model: model)
        try mild.step { $0 }
        #expect(model.parameterStates["fc1.weight"]!.mask! == firstMask)
        #expect(PruningTestSupport.zeroPositions(of: network.parameter(named: "fc1.weight")!.value).count == 12)
    }

    @Test func biasesArePrunedOnlyWhenAsked() throws {
        let network = PruningTestSupport.network(PruningTestSupport.multilayerPerceptron)
        let model = CompressedModel(network: network)
        let pruner = try MagnitudePruner(configuration: MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: 0.5, layerTypes: [.init(type: "linear", setting: 0.75)], skip: ["fc3"]),
            pruneBiases: true))
        try pruner.prepare(model: model)
        #expect(pruner.targets.map(\.parameter) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(pruner.targets.allSatisfy { $0.finalSparsity == 0.75 })
        try pruner.step { $0 }
        #expect(PruningTestSupport.zeroPositions(of: network.parameter(named: "fc1.bias")!.value).count == 3)
        let report = pruner.report()
        #expect(report.map(\.nonZero) == [6, 1, 3, 1] && report.map(\.elements) == [24, 4, 12, 3])
    }
}
