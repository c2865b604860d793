import ShrinkCompression

/// The JSON report of `shrink compress` (`--json`, `--report-json`): stable snake_case names.
struct CompressionReport: Encodable {
    var input: String
    var output: String
    var inputModel: String
    var outputModel: String
    var recipeName: String
    var recipeVersion: Int
    var dataset: String
    var trainingSamples: Int
    var testSamples: Int
    var accuracyBefore: Double?
    /// Top-1 of the written file run by the runtime.
    var accuracyAfter: Double?
    /// Top-1 of the compression pipeline's own network at the end (quantized activations
    /// simulated in floating point): a guide, reported beside the measured figure.
    var simulatedAccuracyAfter: Double?
    var weightElements: Int
    var weightNonZero: Int
    var totalSeconds: Double
    var steps: [Step]

    var errorBefore: Double? { accuracyBefore.map { 1 - $0 } }
    var errorAfter: Double? { accuracyAfter.map { 1 - $0 } }
    /// Zero weights (of Linear and Conv2D weight tensors) over all of them, at the end.
    var weightSparsity: Double { weightElements == 0 ? 0 : 1 - Double(weightNonZero) / Double(weightElements) }

    init(
        input: String, output: String, recipe: Recipe, dataset: String, trainingSamples: Int, testSamples: Int,
        model: CompressedModel, inputModel: String, result: RecipeRunResult
    ) {
        self.input = input
        self.output = output
        self.inputModel = inputModel
        outputModel = model.network.name
        recipeName = recipe.name
        recipeVersion = recipe.version
        self.dataset = dataset
        self.trainingSamples = trainingSamples
        self.testSamples = testSamples
        accuracyBefore = result.accuracyBefore
        accuracyAfter = result.accuracyAfter
        simulatedAccuracyAfter = result.accuracyAfter
        var elements = 0
        var nonZero = 0
        for (_, weight) in model.weightLayers {
            elements += weight.value.count
            nonZero += weight.value.withUnsafeBufferPointer { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
        }
        weightElements = elements
        weightNonZero = nonZero
        totalSeconds = result.totalSeconds
        steps = result.steps.map(Step.init)
    }

    /// One step of the report.
    struct Step: Encodable {
        var index: Int
        var kind: String
        var recipeKind: String
        var summary: String
        var accuracyAfter: Double?
        var errorAfter: Double?
        var seconds: Double
        var layers: [Layer]

        init(_ outcome: RecipeStepOutcome) {
            index = outcome.index
            kind = outcome.report.kind
            recipeKind = outcome.recipeKind
            summary = outcome.report.summary
            accuracyAfter = outcome.report.accuracyAfter
            errorAfter = outcome.report.accuracyAfter.map { 1 - $0 }
            seconds = outcome.seconds
            layers = outcome.report.layers.map(Layer.init)
        }

        enum CodingKeys: String, CodingKey {
            case index, kind, summary, seconds, layers
            case recipeKind = "recipe_kind"
            case accuracyAfter = "accuracy_after"
            case errorAfter = "error_after"
        }
    }

    /// One parameter tensor of a step.
    struct Layer: Encodable {
        var parameter: String
        var layerType: String
        var elements: Int
        var nonZero: Int
        var density: Double
        var bits: Int?
        var clusters: Int?
        var note: String?

        init(_ report: LayerCompressionReport) {
            parameter = report.parameter
            layerType = report.layerType
            elements = report.elements
            nonZero = report.nonZero
            density = 1 - report.sparsity
            bits = report.bits
            clusters = report.clusters
            note = report.note
        }

        enum CodingKeys: String, CodingKey {
            case parameter, elements, density, bits, clusters, note
            case layerType = "layer_type"
            case nonZero = "non_zero"
        }
    }

    enum CodingKeys: String, CodingKey {
        case input, output, dataset, steps
        case inputModel = "input_model"
        case outputModel = "output_model"
        case recipeName = "recipe_name"
        case recipeVersion = "recipe_version"
        case trainingSamples = "training_samples"
        case testSamples = "test_samples"
        case accuracyBefore = "accuracy_before"
        case accuracyAfter = "accuracy_after"
        case simulatedAccuracyAfter = "simulated_accuracy_after"
        case errorBefore = "error_before"
        case errorAfter = "error_after"
        case weightElements = "weight_elements"
        case weightNonZero = "weight_non_zero"
        case weightSparsity = "weight_sparsity"
        case totalSeconds = "total_seconds"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        try container.encode(output, forKey: .output)
        try container.encode(inputModel, forKey: .inputModel)
        try container.encode(outputModel, forKey: .outputModel)
        try container.encode(recipeName, forKey: .recipeName)
        try container.encode(recipeVersion, forKey: .recipeVersion)
        try container.encode(dataset, forKey: .dataset)
        try container.encode(trainingSamples, forKey: .trainingSamples)
        try container.encode(testSamples, forKey: .testSamples)
        try container.encode(accuracyBefore, forKey: .accuracyBefore)
        try container.encode(accuracyAfter, forKey: .accuracyAfter)
        try container.encode(simulatedAccuracyAfter, forKey: .simulatedAccuracyAfter)
        try container.encode(errorBefore, forKey: .errorBefore)
        try container.encode(errorAfter, forKey: .errorAfter)
        try container.encode(weightElements, forKey: .weightElements)
        try container.encode(weightNonZero, forKey: .weightNonZero)
        try container.encode(weightSparsity, forKey: .weightSparsity)
        try container.encode(totalSeconds, forKey: .totalSeconds)
        try container.encode(steps, forKey: .steps)
    }
}
