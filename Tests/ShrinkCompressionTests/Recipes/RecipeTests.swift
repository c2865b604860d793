import Foundation
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
import Testing
@testable import ShrinkCompression

@Suite struct RecipeTests {
    private func decode(_ json: String) throws(RecipeError) -> Recipe {
        try Recipe.decode(from: Data(json.utf8))
    }

    @Test func everyBuiltInValidatesAndSurvivesAJSONRoundTrip() throws {
        #expect(Set(BuiltInRecipes.names).count == BuiltInRecipes.all.count)
        for name in ["deep-compression", "fp16", "int8-dynamic", "int8-static", "prune-50", "prune-75", "prune-90",
                     "qat-int8", "cluster-4bit", "cluster-5bit", "distill", "ptq-4bit", "qat-4bit"] {
            let recipe = try #require(BuiltInRecipes.recipe(named: name), "missing built-in \(name)")
            try recipe.validate()
            let decoded = try Recipe.decode(from: Data(try recipe.jsonString().utf8))
            #expect(decoded == recipe, "\(name) changed in a JSON round trip")
        }
    }

    @Test func deepCompressionUsesHanRatesPerLayer() throws {
        guard case let .magnitudePruning(pruning) = BuiltInRecipes.deepCompression.steps[0],
              case let .weightClustering(clustering) = BuiltInRecipes.deepCompression.steps[1] else {
            Issue.record("deep-compression should prune, then cluster")
            return
        }
        #expect(pruning.layers.resolve(layerName: "fc1", layerType: "linear") == 0.92)
        #expect(pruning.layers.resolve(layerName: "fc3", layerType: "linear") == 0.74)
        #expect(pruning.layers.resolve(layerName: "conv1", layerType: "conv2d") == 0.34)
        #expect(pruning.layers.resolve(layerName: "conv2", layerType: "conv2d") == 0.88)
        #expect(clustering.bits.resolve(layerName: "conv2", layerType: "conv2d")?.bits == 8)
        #expect(clustering.bits.resolve(layerName: "fc1", layerType: "linear")?.bits == 5)
    }

    @Test func validationErrorsNameTheStepIndexAndField() {
        let json = """
            {"version": 1, "name": "bad", "steps": [
              {"float16": {}},
              {"weightClustering": {"bits": {"default": {"bits": 5}, "layers": [{"pattern": "fc1", "setting": {"bits": 0}}]}}}
            ]}
            """
        #expect {
            _ = try decode(json)
        } throws: { error in
            let description = String(describing: error)
            return description.hasPrefix("steps[1].weightClustering:") && description.contains("fc1")
                && description.contains("0") && !description.contains("\n")
        }
    }

    @Test func malformedFieldsAreReportedWithTheirPath() {
        let json = """
            {"version": 1, "name": "bad", "steps": [{"fp16x": {}}]}
            """
        #expect(throws: RecipeError.unknownStepKind(index: 0, kind: "fp16x", known: RecipeStep.kinds)) { try decode(json) }

        let wrongType = """
            {"version": 1, "name": "bad", "steps": [{"float16": {}}, {"weightClustering": {"bits": {"default": {"bits": "five"}}}}]}
            """
        #expect {
            _ = try decode(wrongType)
        } throws: { error in
            guard case let .malformed(path, _) = error as? RecipeError else { return false }
            return path == "steps[1].weightClustering.bits.default.bits"
        }

        let missing = """
            {"version": 1, "name": "bad", "steps": [{"distillation": {"student": "mlp-784-100-10"}}]}
            """
        #expect {
            _ = try decode(missing)
        } throws: { error in
            String(describing: error).hasPrefix("invalid recipe at steps[0].distillation: missing field 'temperature'")
        }
    }

    @Test func fineTuningDistillationDecodesAndOutOfRangeValuesAreRefused() throws {
        let good = try decode(#"{"version": 1, "name": "kd", "fineTuning": {"distillation": {"temperature": 4, "hardWeight": 0.3}}, "steps": [{"float16": {}}]}"#)
        #expect(good.fineTuning.distillation == FineTuningDistillation(temperature: 4, hardWeight: 0.3))
        for bad in [#"{"temperature": 0, "hardWeight": 0.3}"#, #"{"temperature": 4, "hardWeight": 1.5}"#] {
            #expect(throws: RecipeError.self, "\(bad)") {
                try decode(#"{"version": 1, "name": "kd", "fineTuning": {"distillation": "# + bad + #"}, "steps": [{"float16": {}}]}"#).validate()
            }
        }
    }

    @Test func unknownStepKindIsNamedWithItsIndex() {
        let json = """
            {"version": 1, "name": "x", "steps": [{"float16": {}}, {"huffman": {}}]}
            """
        #expect(throws: RecipeError.unknownStepKind(index: 1, kind: "huffman", known: RecipeStep.kinds)) { try decode(json) }
    }

    @Test func newerVersionsAreRefused() {
        let json = """
            {"version": 2, "name": "future", "steps": [{"someNewStep": {}}]}
            """
        #expect(throws: RecipeError.unsupportedVersion(found: 2, supported: 1)) { try decode(json) }
        #expect(String(describing: RecipeError.unsupportedVersion(found: 2, supported: 1)).contains("newer"))
        #expect(throws: RecipeError.malformed(path: "version", reason: "must be at least 1, got 0")) {
            try decode(#"{"version": 0, "name": "old", "steps": [{"float16": {}}]}"#)
        }
    }

    @Test func fineTuningOverridesApplyAndValidate() throws {
        let recipe = try decode("""
            {"version": 1, "name": "ft", "fineTuning": {"epochs": 5, "learningRate": 0.02, "batchSize": 32,
             "optimizer": {"adam": {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weightDecay": 0}}},
             "steps": [{"float16": {}}]}
            """)
        let configuration = recipe.fineTuning.applied(to: .recipeBase)
        #expect(configuration.epochs == 5)
        #expect(configuration.baseLearningRate == 0.02)
        #expect(configuration.batchSize == 32)
        #expect(configuration.optimizer == .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0))
        #expect(configuration.schedule == TrainingConfiguration.recipeBase.schedule)
        #expect(throws: RecipeError.self) {
            try decode(#"{"version": 1, "name": "ft", "fineTuning": {"batchSize": 0}, "steps": [{"float16": {}}]}"#)
        }
        #expect(throws: RecipeError.self) { try decode(#"{"version": 1, "name": "empty", "steps": []}"#) }
    }

    @Test func aTinyPipelinePrunesClustersAndKeepsBothWhileFineTuning() throws {
        let network = ClusteringTestSupport.multilayerPerceptron(hidden: 8, seed: 2)
        let context = ClusteringTestSupport.context(trainingCount: 256)
        var pretraining = context.fineTuning
        pretraining.epochs = 10
        _ = try Trainer().train(model: network, on: context.training, validation: nil, configuration: pretraining)
        let model = CompressedModel(network: network)
        let pruneHalf = RecipeStep.magnitudePruning(MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: 0.5), schedule: .oneShot, fineTuneEpochs: 1))
        let recipe = Recipe(
            name: "tiny", description: "prune, cluster, fine-tune again",
            fineTuning: FineTuningOverrides(epochs: 1, learningRate: 0.05, batchSize: 16),
            steps: [
                pruneHalf,
                .weightClustering(WeightClusteringConfiguration(
                    bits: PerLayerSettings(default: .init(bits: 2)), fineTuning: .init(epochs: 1, learningRate: 0.001))),
                // Prunes the same zeros again and fine-tunes: the palettes must stay shared.
                pruneHalf,
            ])
        var finished = [String]()
        let result = try RecipeRunner(recipe: recipe).run(
            on: model, training: context.training, validation: context.validation, baseFineTuning: context.fineTuning,
            stepFinished: { finished.append($0.report.kind) })

        #expect(finished == ["magnitude-pruning", "weight-clustering", "magnitude-pruning"])
        #expect(result.steps.map(\.index) == [0, 1, 2])
        #expect(result.steps.allSatisfy { $0.seconds >= $0.report.seconds && $0.report.accuracyAfter != nil })
        let accuracy = try #require(result.accuracyAfter)
        #expect(accuracy > 0.8, "a pruned, 2-bit clustered classifier of a linear rule should beat chance, got \(accuracy)")
        for name in ["fc1.weight", "fc2.weight"] {
            let state = model.state(of: name)
            let palette = try #require(state.palette, "\(name) lost its palette")
            let mask = try #require(state.mask)
            let values = try #require(network.parameter(named: name)).value.scalars
            for (element, value) in values.enumerated() {
                #expect(value == palette.centroids[Int(palette.indices[element])], "\(name)[\(element)] left its palette")
                if mask.scalars[element] == 0 { #expect(value == 0, "\(name)[\(element)] is pruned but not zero") }
            }
            #expect(Set(values.filter { $0 != 0 }).count <= 3, "\(name): 2 bits with a reserved zero leave 3 shared values")
        }
    }

    @Test func runnerReportsTheFailingStep() throws {
        let model = CompressedModel(network: ClusteringTestSupport.multilayerPerceptron())
        let context = ClusteringTestSupport.context(trainingCount: 32)
        let recipe = Recipe(
            name: "bad-student", description: "",
            steps: [.float16(Float16Step.Configuration()),
                    .distillation(DistillationConfiguration(
                        student: .named("mlp-784-30-10"), temperature: 2, hardLabelWeight: 0.5, epochs: 1, learningRate: 0.1))])
        #expect {
            _ = try RecipeRunner(recipe: recipe).run(on: model, training: context.training, validation: context.validation)
        } throws: { error in
            guard case let .stepFailed(index, kind, _) = error as? RecipeError else { return false }
            return index == 1 && kind == "distillation"
        }
    }

    @Test func deepCompressionHasPerModelVariants() throws {
        let lenet300 = try #require(BuiltInRecipes.recipe(named: "deep-compression", forModel: "lenet-300-100"))
        let lenet5 = try #require(BuiltInRecipes.recipe(named: "deep-compression", forModel: "lenet-5"))
        let generic = try #require(BuiltInRecipes.recipe(named: "deep-compression", forModel: "some-other-model"))
        #expect(generic == BuiltInRecipes.deepCompression)
        #expect(lenet300 != generic && lenet5 != generic && lenet300 != lenet5)
        for recipe in [lenet300, lenet5, generic] {
            // Last step: fp16 centroids and biases (halves their bytes in the written file).
            guard case .float16(let configuration)? = recipe.steps.last else {
                Issue.record("deep-compression should end with fp16 storage")
                continue
            }
            #expect(configuration == Float16Step.Configuration())
        }
        for recipe in [lenet300, lenet5] {
            #expect(recipe.name == "deep-compression")
            try recipe.validate()
            #expect(try Recipe.decode(from: Data(recipe.jsonString().utf8)) == recipe)
        }
        #expect(BuiltInRecipes.recipe(named: "prune-50", forModel: "lenet-5") == BuiltInRecipes.recipe(named: "prune-50"))
    }

    @Test func deepCompressionForResNet20PrunesEveryWeightLayerOfTheGraph() throws {
        let recipe = try #require(BuiltInRecipes.recipe(named: "deep-compression", forModel: "resnet-20"))
        #expect(recipe != BuiltInRecipes.deepCompression)
        try recipe.validate()
        #expect(try Recipe.decode(from: Data(recipe.jsonString().utf8)) == recipe)
        guard case let .magnitudePruning(pruning) = recipe.steps[0], case .float16? = recipe.steps.last else {
            Issue.record("deep-compression for resnet-20 should prune first and store fp16 last")
            return
        }
        let graph = try ModelZoo.graph(named: "resnet-20")
        var sparsities = [String: Double]()
        for node in graph.nodes where ["Conv2D", "Linear"].contains(node.operatorType) {
            sparsities[node.name] = pruning.layers.resolve(layerName: node.name, layerType: node.operatorType == "Linear" ? "linear" : "conv2d")
        }
        #expect(sparsities.count == 22)
        #expect(sparsities["stem"] == 0.3 && sparsities["stage2_block1_shortcut"] == 0.3 && sparsities["fc"] == 0.5)
        #expect(sparsities["stage3_block3_conv2"] == 0.6 && sparsities["stage1_block1_conv1"] == 0.6)
    }
}
