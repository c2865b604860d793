import Foundation
import ShrinkNN

/// A recipe read from a JSON file (`shrink compress --recipe FILE.json`), with the checks a
/// file gets beyond decoding: every per-layer pattern and skip entry must match a layer of the
/// model it is run on, and an edited built-in recipe must carry its own name.
public struct RecipeFile {
    /// A layer-name pattern of the file and where it is.
    public struct PatternReference: Equatable, Sendable {
        /// Its JSON path (`steps[0].magnitudePruning.layers.skip[1]`).
        public var path: String
        /// The index of the step holding it.
        public var stepIndex: Int?
        public var pattern: NamePattern
    }

    /// The decoded, validated recipe.
    public var recipe: Recipe
    /// Every `layers[].pattern` and `skip` entry, in file order.
    public var namePatterns: [PatternReference]
    /// Whether the file is exactly a built-in recipe (as `--print-recipe` printed it).
    public var isUnmodifiedBuiltIn: Bool

    /// Reads, decodes and validates a recipe file (errors name the line and column of malformed
    /// JSON, unknown keys with the nearest valid one, the step and field of a bad setting).
    /// - Throws: `RecipeError.editedBuiltIn` when the file has a built-in recipe's name but other
    ///   settings.
    public static func load(path: String) throws(RecipeError) -> RecipeFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .malformed(path: "", reason: "cannot read the recipe file \(path)")
        }
        return try decode(from: data)
    }

    /// As `load(path:)`, from the file's bytes.
    public static func decode(from data: Data) throws(RecipeError) -> RecipeFile {
        let (recipe, log) = try Recipe.decodeAuditingKeys(from: data)
        let builtIns = BuiltInRecipes.variants(named: recipe.name)
        let isBuiltIn = builtIns.contains(recipe)
        if !builtIns.isEmpty && !isBuiltIn { throw .editedBuiltIn(name: recipe.name) }
        let patterns = log.namePatterns.map { entry in
            PatternReference(path: entry.path, stepIndex: Self.stepIndex(of: entry.path), pattern: entry.pattern)
        }
        return RecipeFile(recipe: recipe, namePatterns: patterns, isUnmodifiedBuiltIn: isBuiltIn)
    }

    /// Throws `RecipeError.unmatchedPattern` for the first pattern or skip entry that matches no
    /// layer (node with weights) of `network`, naming the closest layer. Patterns of steps after
    /// a distillation step address the student and are not checked here; neither are unmodified
    /// built-ins, which are written for several models.
    public func checkNamePatterns(against network: GraphNetwork) throws(RecipeError) {
        guard !isUnmodifiedBuiltIn else { return }
        let firstDistillation = recipe.steps.firstIndex { if case .distillation = $0 { true } else { false } }
        let graph = network.graph
        let layers = graph.nodes.indices.filter { !network.resolved.operators[$0].weights.isEmpty }.map { graph.nodes[$0].name }
        for reference in namePatterns {
            if let firstDistillation, let step = reference.stepIndex, step > firstDistillation { continue }
            guard !layers.contains(where: reference.pattern.matches) else { continue }
            throw .unmatchedPattern(
                path: reference.path, pattern: reference.pattern.pattern, model: graph.name,
                closest: NameSuggestion.closest(to: reference.pattern.pattern, among: layers), layers: layers)
        }
    }

    /// `3` from `steps[3].…`.
    static func stepIndex(of path: String) -> Int? {
        guard path.hasPrefix("steps["), let close = path.firstIndex(of: "]") else { return nil }
        return Int(path[path.index(path.startIndex, offsetBy: 6)..<close])
    }
}
