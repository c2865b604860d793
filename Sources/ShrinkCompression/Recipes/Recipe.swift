import Foundation

/// A compression recipe: a named, versioned list of steps run in order, plus changes to the
/// base fine-tuning configuration. Stored as JSON:
///
/// ```json
/// { "version": 1, "name": "prune-90", "description": "...",
///   "fineTuning": {"epochs": 4, "learningRate": 0.01},
///   "steps": [ {"magnitudePruning": {"method": "layerSparsity", "layers": {"default": 0.9}}} ] }
/// ```
/// `Recipe.decode(from:)` reads and validates one, with errors naming the step and field.
public struct Recipe: Codable, Equatable, Sendable {
    /// The newest format version this build reads (and the one it writes).
    public static let currentVersion = 1

    public var version: Int
    public var name: String
    public var description: String
    /// Changes to `TrainingConfiguration.recipeBase` for every fine-tuning step.
    public var fineTuning: FineTuningOverrides
    public var steps: [RecipeStep]

    public init(
        version: Int = Recipe.currentVersion, name: String, description: String,
        fineTuning: FineTuningOverrides = FineTuningOverrides(), steps: [RecipeStep]
    ) {
        self.version = version
        self.name = name
        self.description = description
        self.fineTuning = fineTuning
        self.steps = steps
    }

    enum CodingKeys: String, CodingKey { case version, name, description, fineTuning, steps }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        guard version <= Self.currentVersion else {
            throw RecipeError.unsupportedVersion(found: version, supported: Self.currentVersion)
        }
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        fineTuning = try container.decodeIfPresent(FineTuningOverrides.self, forKey: .fineTuning) ?? FineTuningOverrides()
        var list = try container.nestedUnkeyedContainer(forKey: .steps)
        var steps = [RecipeStep]()
        while !list.isAtEnd {
            let index = list.currentIndex
            do {
                steps.append(try list.decode(RecipeStep.self))
            } catch let unknown as RecipeStep.UnknownKind {
                throw RecipeError.unknownStepKind(index: index, kind: unknown.kind, known: RecipeStep.kinds)
            }
        }
        self.steps = steps
    }

    /// Throws the first problem: an unsupported version, no steps, bad fine-tuning overrides,
    /// or a step whose configuration fails `validate()` (named by index and kind).
    public func validate() throws(RecipeError) {
        guard version <= Self.currentVersion else {
            throw .unsupportedVersion(found: version, supported: Self.currentVersion)
        }
        guard version >= 1 else { throw .malformed(path: "version", reason: "must be at least 1, got \(version)") }
        guard !steps.isEmpty else { throw .malformed(path: "steps", reason: "a recipe needs at least one step") }
        try fineTuning.validate()
        for (index, step) in steps.enumerated() { try step.validate(index: index) }
    }

    /// Decodes and validates a recipe from JSON. Malformed JSON is an error naming the line and
    /// column; a key no setting has is an error naming it and the nearest valid key.
    public static func decode(from data: Data) throws(RecipeError) -> Recipe {
        try decodeAuditingKeys(from: data).recipe
    }

    /// Decodes and validates a recipe, with what decoding read (every object's keys and every
    /// layer-name pattern with its JSON path).
    static func decodeAuditingKeys(from data: Data) throws(RecipeError) -> (recipe: Recipe, log: RecipeKeyLog) {
        if let problem = JSONSyntaxCheck.firstProblem(in: [UInt8](data)) {
            throw .invalidJSON(line: problem.line, column: problem.column, reason: problem.reason)
        }
        let log = RecipeKeyLog()
        let recipe: Recipe
        do {
            let decoder = JSONDecoder()
            decoder.userInfo[AuditedRecipe.logKey] = log
            recipe = try decoder.decode(AuditedRecipe.self, from: data).recipe
        } catch let error as RecipeError {
            throw error
        } catch let error as DecodingError {
            // A required key missing beside an unknown key spelled like it: name the misspelling.
            if case let .keyNotFound(key, context) = error, let misspelled = log.unknownKey(resembling: key.stringValue, at: context.codingPath) {
                throw .unknownKey(path: path(context.codingPath), key: misspelled, closest: key.stringValue, valid: [])
            }
            throw Self.describe(error)
        } catch {
            throw .malformed(path: "", reason: String(describing: error))
        }
        if let unknown = log.firstUnknownKey() { throw unknown }
        try recipe.validate()
        return (recipe, log)
    }

    /// Reads, decodes and validates a recipe file.
    public static func load(path: String) throws(RecipeError) -> Recipe {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .malformed(path: "", reason: "cannot read the recipe file \(path)")
        }
        return try decode(from: data)
    }

    /// The recipe as pretty JSON (what `shrink compress --print-recipe` prints).
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A `DecodingError` as a one-line error naming the JSON path (`steps[1].weightClustering.bits`).
    static func describe(_ error: DecodingError) -> RecipeError {
        switch error {
        case let .keyNotFound(key, context):
            return .malformed(path: path(context.codingPath), reason: "missing field '\(key.stringValue)'")
        case let .typeMismatch(type, context):
            return .malformed(path: path(context.codingPath), reason: "expected \(typeName(type)): \(context.debugDescription)")
        case let .valueNotFound(type, context):
            return .malformed(path: path(context.codingPath), reason: "expected \(typeName(type)), found null")
        case let .dataCorrupted(context):
            var reason = context.debugDescription
            if let underlying = context.underlyingError { reason += " (\(underlying.localizedDescription))" }
            return .malformed(path: path(context.codingPath), reason: reason)
        @unknown default:
            return .malformed(path: "", reason: String(describing: error))
        }
    }

    /// `steps[1].weightClustering.bits` from a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: "an integer"
        case is Float.Type, is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }

    /// Whether any step trains on labelled data (`RecipeStep.trainsWithLabels`).
    public var trainsWithLabels: Bool { steps.contains { $0.trainsWithLabels } }
}

/// Decodes a `Recipe` through a `KeyAuditingDecoder` reporting to the log in `userInfo`.
struct AuditedRecipe: Decodable {
    static let logKey = CodingUserInfoKey(rawValue: "shrink.recipeKeyLog")!

    var recipe: Recipe

    init(from decoder: any Decoder) throws {
        guard let log = decoder.userInfo[Self.logKey] as? RecipeKeyLog else {
            recipe = try Recipe(from: decoder)
            return
        }
        recipe = try Recipe(from: KeyAuditingDecoder(base: decoder, log: log))
    }
}
