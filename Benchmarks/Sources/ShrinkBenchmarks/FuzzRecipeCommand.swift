import ArgumentParser
import Foundation
import ShrinkCompression
import ShrinkNN
import ShrinkTensor

/// `shrink-benchmarks fuzz-recipe`: a long-running fuzz loop for the recipe-file reader.
///
/// Seeds are every built-in recipe as `shrink compress --print-recipe` prints it (and each
/// model's tuned variant), the same recipes renamed (`prune-50-edited`) so that an edit gets
/// past the edited-built-in check, and a hand-written recipe with per-layer patterns and skip
/// entries. Mutations are mostly structure-aware (`JSONMutation`: a key replaced by another or
/// misspelled, a value by an extreme number, a wrong type, a glob, a container; a member or an
/// element removed) and sometimes byte-level, one to six per input.
///
/// Every input goes the way of `shrink compress --recipe FILE.json`: `RecipeFile.decode` (the
/// syntax check with line and column, the key audit, decoding and validation), `RecipeRunner`,
/// then `checkNamePatterns` against LeNet-300-100 and LeNet-5 (accepted when one of them has
/// every pattern's layer). Each must accept or throw a
/// `RecipeError` whose one-line message is built; an accepted recipe must print as JSON and
/// read back to the same recipe. A crash ends the process (replay with `--replay N`).
struct FuzzRecipeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-recipe",
        abstract: "Fuzz the recipe-file reader and its validation with mutated recipe JSON.")

    @OptionGroup var fuzzing: FuzzOptions

    @Option(help: "Where --replay writes the mutated recipe.")
    var replayOutput: String = "fuzz-input.json"

    func run() throws {
        try FuzzDriver.run(try Target(), options: fuzzing, replayOutput: replayOutput)
    }

    /// The recipe-file reader as a fuzz target.
    struct Target: FuzzTarget {
        let seeds: [[UInt8]]
        let mutation: JSONMutation
        /// The models whose layer names the patterns are checked against.
        let networks: [GraphNetwork]

        var acceptedLabel: String { "accepted" }

        init() throws {
            var recipes = BuiltInRecipes.all
            recipes += ModelZoo.names.compactMap { BuiltInRecipes.deepCompression(forModel: $0) }
            var documents = try recipes.map { Array(try $0.jsonString().utf8) }
            documents += try recipes.map { recipe in
                var renamed = recipe
                renamed.name += "-edited"
                return Array(try renamed.jsonString().utf8)
            }
            documents.append(Array("""
                {"version": 1, "name": "mine", "description": "per-layer settings",
                 "fineTuning": {"epochs": 2, "learningRate": 0.01},
                 "steps": [{"magnitudePruning": {"method": "layerSparsity",
                   "layers": {"default": 0.5, "layers": [{"pattern": "fc*", "setting": 0.8}, {"pattern": "conv?", "setting": 0.3}],
                              "skip": ["fc3"]}}},
                  {"weightQuantization": {"layers": {"default": {"bits": 4}, "skip": ["fc1"]}}},
                  {"float16": {}}]}
                """.utf8))
            seeds = documents
            mutation = JSONMutation(keysOf: documents)
            var generator = SeededRandomNumberGenerator(seed: 5)
            networks = try ["lenet-300-100", "lenet-5"].map { name in
                try GraphNetwork(graph: ModelZoo.graph(named: name), generator: &generator)
            }
        }

        func input(iteration: Int, seed: UInt64) -> [UInt8] {
            var generator = FuzzDriver.generator(iteration: iteration, seed: seed)
            var bytes = seeds[generator.nextIndex(below: seeds.count)]
            mutation.mutate(&bytes, count: 6, using: &generator)
            return bytes
        }

        func outcome(of input: [UInt8]) -> FuzzOutcome {
            let file: RecipeFile
            do throws(RecipeError) {
                file = try RecipeFile.decode(from: Data(input))
                _ = try RecipeRunner(recipe: file.recipe)
                // As `shrink compress` does for the model it compresses: accepted for one of them.
                var unmatched: RecipeError?
                for network in networks {
                    do {
                        try file.checkNamePatterns(against: network)
                        unmatched = nil
                        break
                    } catch {
                        _ = error.description
                        unmatched = error
                    }
                }
                if let unmatched { throw unmatched }
            } catch {
                _ = error.description  // The message the user would see is built.
                return .refused(FuzzOutcome.kind(of: error))
            }
            do {
                let reread = try RecipeFile.decode(from: Data(try file.recipe.jsonString().utf8))
                return reread.recipe == file.recipe
                    ? .accepted : .inconsistent("an accepted recipe printed as JSON reads back as another recipe")
            } catch {
                return .inconsistent("an accepted recipe printed as JSON does not read back: \(error)")
            }
        }
    }
}
