import Foundation
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkCompression

/// The checks a recipe file gets: unknown keys, malformed JSON, patterns that match no layer,
/// edited built-ins under the built-in's name.
@Suite struct RecipeFileTests {
    private func decode(_ json: String) throws(RecipeError) -> RecipeFile {
        try RecipeFile.decode(from: Data(json.utf8))
    }

    private func failure(_ json: String) -> RecipeError? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            return error
        }
    }

    private static func lenet300() throws -> GraphNetwork {
        var generator = SeededRandomNumberGenerator(seed: 1)
        return try GraphNetwork(graph: ModelZoo.graph(named: "lenet-300-100"), generator: &generator)
    }

    @Test func editDistanceAndClosestName() {
        #expect(NameSuggestion.editDistance("kitten", "sitting") == 3)
        #expect(NameSuggestion.editDistance("", "abc") == 3)
        #expect(NameSuggestion.editDistance("fineTuneEpochs", "fineTuneEpochs") == 0)
        #expect(NameSuggestion.closest(to: "fineTuneEpoch", among: ["method", "layers", "fineTuneEpochs"]) == "fineTuneEpochs")
        #expect(NameSuggestion.closest(to: "FC1", among: ["fc1", "fc2"]) == "fc1")
        #expect(NameSuggestion.closest(to: "temperature", among: ["bits", "seed"]) == nil, "nothing near is no suggestion")
        #expect(NameSuggestion.closest(to: "x", among: []) == nil)
    }

    @Test func unknownKeysAreErrorsNamingTheClosestValidKey() {
        let topLevel = failure(#"{"version": 1, "name": "mine", "stepz": [], "steps": [{"float16": {}}]}"#)
        #expect(topLevel == .unknownKey(path: "", key: "stepz", closest: "steps", valid: ["description", "fineTuning", "name", "steps", "version"]))
        #expect(topLevel?.description == "invalid recipe: unknown key 'stepz'; did you mean 'steps'?")

        let inStep = failure("""
            {"version": 1, "name": "mine", "steps": [{"float16": {}}, {"magnitudePruning": {"method": "layerSparsity",
             "layers": {"default": 0.5}, "fineTuneEpoch": 1}}]}
            """)
        #expect(inStep?.description == "invalid recipe at steps[1].magnitudePruning: unknown key 'fineTuneEpoch'; did you mean 'fineTuneEpochs'?")

        let inPerLayer = failure("""
            {"version": 1, "name": "mine", "steps": [{"magnitudePruning": {"method": "layerSparsity",
             "layers": {"default": 0.5, "skp": ["fc3"]}}}]}
            """)
        #expect(inPerLayer?.description == "invalid recipe at steps[0].magnitudePruning.layers: unknown key 'skp'; did you mean 'skip'?")

        let inFineTuning = failure(#"{"version": 1, "name": "mine", "fineTuning": {"epocs": 2}, "steps": [{"float16": {}}]}"#)
        #expect(inFineTuning?.description == "invalid recipe at fineTuning: unknown key 'epocs'; did you mean 'epochs'?")

        // Nothing near: the valid keys are listed instead.
        let far = failure(#"{"version": 1, "name": "mine", "fineTuning": {"temperature": 2}, "steps": [{"float16": {}}]}"#)
        #expect(far?.description.contains("unknown key 'temperature'; expected one of batchSize, distillation, epochs, learningRate") == true)

        // A misspelled required key is named as the misspelling, not only as a missing field.
        let required = failure(#"{"version": 1, "name": "mine", "steps": [{"magnitudePruning": {"methd": "layerSparsity", "layers": {}}}]}"#)
        #expect(required?.description == "invalid recipe at steps[0].magnitudePruning: unknown key 'methd'; did you mean 'method'?")

        let stepKind = failure(#"{"version": 1, "name": "mine", "steps": [{"float61": {}}]}"#)
        #expect(stepKind?.description.hasPrefix("steps[0]: unknown step kind 'float61'; did you mean 'float16'?") == true)
    }

    @Test func malformedJSONNamesTheLineAndColumn() {
        let missingComma = failure("{\"version\": 1,\n  \"name\": \"mine\"\n  \"steps\": []}")
        #expect(missingComma == .invalidJSON(line: 3, column: 3, reason: "expected ',' or '}' after a member"))
        #expect(missingComma?.description == "invalid recipe: not valid JSON at line 3, column 3: expected ',' or '}' after a member")
        let trailingComma = failure("{\"version\": 1,\n  \"steps\": [{\"float16\": {}},]}")
        #expect(trailingComma == .invalidJSON(line: 2, column: 29, reason: "expected a value (an object, array, string, number, true, false or null)"))
        let cut = failure("{\"version\": 1, \"name\": \"mi")
        #expect(cut?.description.contains("line 1, column 27") == true && cut?.description.contains("ends early") == true)
        #expect(JSONSyntaxCheck.firstProblem(in: Array("{\"a\": [1, -2.5e3, true, null, \"\\u00e9\"]}".utf8)) == nil)
        #expect(JSONSyntaxCheck.firstProblem(in: Array("{\"a\": 01}".utf8))?.column == 8)
        #expect(JSONSyntaxCheck.firstProblem(in: Array("{} x".utf8))?.reason == "unexpected text after the JSON value")
    }

    @Test func patternsAndSkipEntriesMustMatchALayer() throws {
        let network = try Self.lenet300()
        let good = try decode("""
            {"version": 1, "name": "mine", "steps": [{"magnitudePruning": {"method": "layerSparsity",
             "layers": {"default": 0.5, "layers": [{"pattern": "fc*", "setting": 0.8}], "skip": ["fc3"]}}}]}
            """)
        #expect(good.namePatterns.map(\.path) == ["steps[0].magnitudePruning.layers.layers[0].pattern", "steps[0].magnitudePruning.layers.skip[0]"])
        #expect(good.namePatterns.map(\.stepIndex) == [0, 0])
        try good.checkNamePatterns(against: network)

        let misspelledSkip = try decode("""
            {"version": 1, "name": "mine", "steps": [{"float16": {}}, {"weightQuantization": {"layers": {"default": {"bits": 4}, "skip": ["fc4"]}}}]}
            """)
        #expect(throws: RecipeError.unmatchedPattern(path: "steps[1].weightQuantization.layers.skip[0]", pattern: "fc4", model: "lenet-300-100",
                                                     closest: "fc1", layers: ["fc1", "fc2", "fc3"])) {
            try misspelledSkip.checkNamePatterns(against: network)
        }
        let conv = try decode("""
            {"version": 1, "name": "mine", "steps": [{"magnitudePruning": {"method": "layerSparsity",
             "layers": {"default": 0.5, "layers": [{"pattern": "conv1", "setting": 0.3}]}}}]}
            """)
        do {
            try conv.checkNamePatterns(against: network)
            Issue.record("conv1 is no layer of lenet-300-100")
        } catch {
            #expect(error.description == "recipe steps[0].magnitudePruning.layers.layers[0].pattern 'conv1' matches no layer of lenet-300-100 (layers with weights: fc1, fc2, fc3)")
        }
    }

    @Test func anEditedBuiltInMustCarryItsOwnName() throws {
        // Unmodified, as --print-recipe prints it (generic or tuned for a model): accepted as is,
        // and its patterns (written for several models) are not held against one model.
        for recipe in [try #require(BuiltInRecipes.recipe(named: "prune-50")), BuiltInRecipes.deepCompression,
                       try #require(BuiltInRecipes.deepCompression(forModel: "lenet-5"))] {
            let file = try decode(try recipe.jsonString())
            #expect(file.recipe == recipe && file.isUnmodifiedBuiltIn)
            try file.checkNamePatterns(against: try Self.lenet300())
        }
        var edited = try #require(BuiltInRecipes.recipe(named: "prune-50"))
        edited.fineTuning.epochs = 1
        #expect(throws: RecipeError.editedBuiltIn(name: "prune-50")) { try decode(try edited.jsonString()) }
        #expect(RecipeError.editedBuiltIn(name: "prune-50").description.contains("its own \"name\" (e.g. \"prune-50-edited\")"))
        edited.name = "prune-50-one-epoch"
        let renamed = try decode(try edited.jsonString())
        #expect(renamed.recipe == edited && !renamed.isUnmodifiedBuiltIn)
    }
}
