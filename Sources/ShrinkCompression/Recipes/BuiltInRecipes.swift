import ShrinkNN

/// The recipes `shrink compress --recipe NAME` knows, as typed values (print one as JSON with
/// `--print-recipe NAME` to copy and edit it).
///
/// Every recipe is meant for both LeNet-300-100 (`fc1`, `fc2`, `fc3`) and LeNet-5 (`conv1`,
/// `conv2`, `fc1`, `fc2`): per-layer settings address layers by name pattern and by type
/// (`linear`, `conv2d`). Where the two models' layers of the same name would want different
/// settings, the recipe's documentation says which one it follows.
public enum BuiltInRecipes {
    /// Every built-in recipe, in the order `--help` lists them.
    public static let all: [Recipe] = [
        deepCompression, prune(50, epochs: 2), prune(75, epochs: 4), prune(90, epochs: 8), prune92, structured(50, epochs: 2),
        fp16, int8Dynamic, int8Static,
        qatInt8, ptq4Bit, qat4Bit, cluster(bits: 4), cluster(bits: 5), distill,
    ]

    /// The built-ins' names.
    public static var names: [String] { all.map(\.name) }

    /// The built-in recipe with this name, if any. With `model` (an architecture name such as
    /// `lenet-300-100`), recipes that have a variant tuned for that model return it: today
    /// `deep-compression`, which follows Han et al.'s per-model tables.
    public static func recipe(named name: String, forModel model: String? = nil) -> Recipe? {
        if name == deepCompression.name, let model, let variant = deepCompression(forModel: model) {
            return variant
        }
        return all.first { $0.name == name }
    }

    /// Every form of the built-in recipe with this name: the generic one and each model's tuned
    /// variant (empty when no built-in has the name).
    public static func variants(named name: String) -> [Recipe] {
        guard let generic = all.first(where: { $0.name == name }) else { return [] }
        return [generic] + ModelZoo.names.compactMap { model in
            recipe(named: name, forModel: model).flatMap { $0 == generic ? nil : $0 }
        }
    }

    private static func named(_ pattern: String, _ sparsity: Double) -> PerLayerSettings<Double>.NameOverride {
        PerLayerSettings.NameOverride(pattern: NamePattern(pattern), setting: sparsity)
    }

    /// Han et al., *Deep Compression* (2016), stages 1–2: iterative magnitude pruning with
    /// retraining to the paper's per-layer rates, then k-means weight sharing (conv 8 bits,
    /// fc 5 bits, pruned zero reserved) with one epoch of centroid fine-tuning. Stage 3 (Huffman coding of
    /// indices and relative positions) belongs to the container format. Last, the shared
    /// centroids and the biases are rounded to binary16 (`storageInHalfPrecision`), which the
    /// paper does not do: it halves the bytes of the centroid tables and biases, a measurable
    /// part of a 30 KB file.
    ///
    /// This generic form serves any model with layers named like the LeNets; `shrink compress`
    /// uses the per-model variant (`deepCompression(forModel:)`) when the model has one. Both
    /// LeNets name a layer `fc2`, so the generic pattern follows LeNet-300-100 (91 %), and bits
    /// follow the paper's LeNet-5 table (conv 8, fc 5).
    public static let deepCompression = deepCompression(
        description: "Han et al. Deep Compression: iterative magnitude pruning to the paper's per-layer rates with retraining, then weight sharing (conv 8-bit, fc 5-bit) with centroid fine-tuning, then fp16 centroids and biases; Huffman coding comes with the container format",
        sparsities: [("conv1", 0.34), ("conv2", 0.88), ("fc1", 0.92), ("fc2", 0.91), ("fc3", 0.74)],
        linearBits: 5)

    /// The variant of `deep-compression` for one model, following the paper's table for it:
    /// - `lenet-300-100`, table 2: fc1 92 %, fc2 91 %, fc3 74 % pruned; 6-bit weights.
    /// - `lenet-5`, table 3: 92 % of all weights pruned, conv 8-bit, fc 5-bit. The overall 92 % is
    ///   reached by one global magnitude ranking (as `prune-92`), not the paper's per-layer rates
    ///   (conv1 34 %, conv2 88 %, fc1 92 %, fc2 81 %): measured from the same trained LeNet-5,
    ///   the per-layer rates ended at 0.82 % test error (91.6 % sparse) and the global ranking at
    ///   0.72 % (92.0 % sparse), against 0.71 % before compression and the paper's 0.74 %.
    /// - `resnet-20`: the paper has no table for it; 3×3 convolutions 60 %, the small stem and
    ///   1×1 shortcuts 30 %, `fc` 50 %, one epoch of retraining per pruning step (a CIFAR-10
    ///   epoch costs two minutes on two cores), conv 8-bit, fc 5-bit.
    /// `nil` for other models, which get the generic recipe.
    public static func deepCompression(forModel model: String) -> Recipe? {
        switch model {
        case "lenet-300-100":
            deepCompression(
                description: "Han et al. Deep Compression for LeNet-300-100 (paper's table 2): iterative magnitude pruning to fc1 92 %, fc2 91 %, fc3 74 % with retraining, then 6-bit weight sharing with centroid fine-tuning, then fp16 centroids and biases; Huffman coding comes with the container format",
                sparsities: [("fc1", 0.92), ("fc2", 0.91), ("fc3", 0.74)], linearBits: 6)
        case "lenet-5":
            Recipe(
                name: "deep-compression",
                description: "Han et al. Deep Compression for LeNet-5 (paper's table 3): 92 % of all weights pruned by global magnitude ranking in 3 iterations with retraining, then weight sharing (conv 8-bit, fc 5-bit) with centroid fine-tuning, then fp16 centroids and biases; the written file Huffman-codes index and position streams",
                fineTuning: prune92.fineTuning,
                steps: prune92.steps + [clustering(linearBits: 5), storageInHalfPrecision])
        case "resnet-20":
            Recipe(
                name: "deep-compression",
                description: "Deep Compression for ResNet-20 on CIFAR-10 (rates ours: the paper has no table for it): iterative magnitude pruning of every 3×3 convolution to 60 % (stem and 1×1 shortcuts 30 %, fc 50 %) in 3 steps with 1 epoch of retraining each, then weight sharing (conv 8-bit, fc 5-bit) with centroid fine-tuning, then fp16 centroids and biases; the written file Huffman-codes index and position streams",
                fineTuning: FineTuningOverrides(learningRate: 0.02, schedule: .cosine(minimum: 0)),
                steps: [
                    .magnitudePruning(MagnitudePruningConfiguration(
                        method: .layerSparsity,
                        layers: PerLayerSettings(default: 0.6, layers: [named("stem", 0.3), named("*_shortcut", 0.3), named("fc", 0.5)]),
                        schedule: .iterative(iterations: 3, spacing: .geometric), fineTuneEpochs: 1, learningRate: 0.02)),
                    clustering(linearBits: 5),
                    storageInHalfPrecision,
                ])
        default:
            nil
        }
    }

    private static func deepCompression(
        description: String, sparsities: [(String, Double)], linearBits: Int
    ) -> Recipe {
        Recipe(
            name: "deep-compression",
            description: description,
            fineTuning: FineTuningOverrides(learningRate: 0.02, schedule: .cosine(minimum: 0)),
            steps: [
                .magnitudePruning(MagnitudePruningConfiguration(
                    method: .layerSparsity,
                    layers: PerLayerSettings(default: nil, layers: sparsities.map { named($0.0, $0.1) }),
                    schedule: .iterative(iterations: 3, spacing: .geometric), fineTuneEpochs: 4, learningRate: 0.02)),
                clustering(linearBits: linearBits),
                storageInHalfPrecision,
            ])
    }

    /// The last step of `deep-compression`: every weight layer's weights (so its palette's
    /// centroids) and biases rounded to binary16 and stored as such.
    private static let storageInHalfPrecision = RecipeStep.float16(Float16Step.Configuration())

    /// Deep Compression's weight-sharing stage: conv layers 8-bit, linear layers `linearBits`,
    /// one epoch of centroid fine-tuning at a small learning rate.
    private static func clustering(linearBits: Int) -> RecipeStep {
        .weightClustering(WeightClusteringConfiguration(
            bits: PerLayerSettings(
                default: .init(bits: linearBits), layerTypes: [.init(type: "conv2d", setting: .init(bits: 8))]),
            fineTuning: .init(epochs: 1, learningRate: 0.00001)))
    }

    /// Magnitude pruning of every weight layer to `percent` % (LeNet-5's 500-weight `conv1` at
    /// most 50 %), at once before fine-tuning (constant sparsity), then `epochs` epochs of
    /// fine-tuning with the mask fixed.
    static func prune(_ percent: Int, epochs: Int) -> Recipe {
        let sparsity = Double(percent) / 100
        return Recipe(
            name: "prune-\(percent)",
            description: "magnitude pruning of every weight layer to \(percent) % sparsity (conv1 at most 50 %), constant sparsity from the first step, \(epochs) epochs of fine-tuning",
            fineTuning: FineTuningOverrides(learningRate: 0.02, schedule: .cosine(minimum: 0)),
            steps: [
                .magnitudePruning(MagnitudePruningConfiguration(
                    method: .layerSparsity,
                    layers: PerLayerSettings(default: sparsity, layers: [named("conv1", min(sparsity, 0.5))]),
                    schedule: .constant(beginStep: 0), fineTuneEpochs: epochs, learningRate: 0.02)),
            ])
    }

    /// Structured L1 pruning: `percent` % of the channels (units, filters) of every channel group
    /// are removed, so the file really holds a smaller graph; channels tied across residual adds
    /// go together, and groups reaching the output (the classifier) keep theirs. Then `epochs`
    /// epochs of fine-tuning.
    static func structured(_ percent: Int, epochs: Int) -> Recipe {
        Recipe(
            name: "structured-\(percent)",
            description: "structured L1 pruning of \(percent) % of the channels of every channel group (residual adds tie channels; the classifier keeps its outputs), \(epochs) epochs of fine-tuning",
            fineTuning: FineTuningOverrides(learningRate: 0.02, schedule: .cosine(minimum: 0)),
            steps: [
                .structuredPruning(StructuredPruningConfiguration(
                    layers: PerLayerSettings(default: Double(percent) / 100), fineTuneEpochs: epochs, learningRate: 0.02)),
            ])
    }

    /// Han et al.'s overall LeNet sparsity (92 %) reached by one global magnitude ranking over all
    /// weight layers (so small layers keep more of their weights than large ones) in three
    /// geometric iterations of prune → 6 epochs of fine-tuning.
    public static let prune92 = Recipe(
        name: "prune-92",
        description: "global magnitude pruning to 92 % of all weights in 3 geometric iterations, each followed by 6 epochs of fine-tuning at lr 0.02",
        fineTuning: FineTuningOverrides(learningRate: 0.02, schedule: .cosine(minimum: 0)),
        steps: [
            .magnitudePruning(MagnitudePruningConfiguration(
                method: .globalSparsity,
                layers: PerLayerSettings(default: 0),
                globalSparsity: 0.92,
                schedule: .iterative(iterations: 3, spacing: .geometric), fineTuneEpochs: 6, learningRate: 0.02)),
        ])

    /// Half-precision storage of every weight and bias.
    public static let fp16 = Recipe(
        name: "fp16", description: "IEEE half-precision storage of every weight layer's weight and bias",
        steps: [.float16(Float16Step.Configuration())])

    /// int8 weights (per channel) with activations quantized per batch at run time.
    public static let int8Dynamic = Recipe(
        name: "int8-dynamic",
        description: "int8 dynamic quantization: s8 per-channel weights, u8 activations quantized per batch at run time",
        steps: [.int8Dynamic(Int8DynamicQuantizationStep.Configuration())])

    /// int8 weights (per channel) and u8 activations calibrated on 2,000 training images.
    public static let int8Static = Recipe(
        name: "int8-static",
        description: "int8 static quantization: s8 per-channel weights, u8 per-tensor activations calibrated (min-max) on 20 batches of 100 training images",
        steps: [.int8Static(Int8StaticQuantizationStep.Configuration(observer: .minMax, calibrationBatches: 20, calibrationBatchSize: 100))])

    /// Quantization-aware training at 8 bits (weights per channel, activations per tensor).
    public static let qatInt8 = Recipe(
        name: "qat-int8",
        description: "quantization-aware training: 2 epochs with fake-quantized s8 per-channel weights and u8 activations",
        fineTuning: FineTuningOverrides(schedule: .cosine(minimum: 0)),
        steps: [.quantizationAwareTraining(QuantizationAwareTrainingStep.Configuration(
            layers: PerLayerSettings(default: .init(weights: .weights(bits: 8), activationBits: 8)),
            epochs: 2, learningRate: 0.002))])

    /// Post-training 4-bit weight-only quantization (per channel, min-max): the baseline QAT 4-bit
    /// beats. The runtime multiplies the packed 4-bit codes directly (`LayerKernel.integer(bits: 4)`)
    /// with activations quantized to u8 per row at run time, as int8-dynamic.
    public static let ptq4Bit = Recipe(
        name: "ptq-4bit",
        description: "post-training 4-bit weight quantization (signed symmetric per channel, min-max), no retraining; run with activations quantized to u8 per row at run time, as int8-dynamic",
        steps: [.weightQuantization(WeightQuantizationStep.Configuration(
            layers: PerLayerSettings(default: .weights(bits: 4))))])

    /// Quantization-aware training of 4-bit weights (per channel; activations stay float in
    /// training), the same storage as `ptq-4bit`, run the same way (u8 activations per row).
    public static let qat4Bit = Recipe(
        name: "qat-4bit",
        description: "quantization-aware training of 4-bit weights (signed symmetric per channel, float activations in training): 3 epochs, same storage as ptq-4bit; run with activations quantized to u8 per row at run time, as int8-dynamic",
        fineTuning: FineTuningOverrides(schedule: .cosine(minimum: 0)),
        steps: [.quantizationAwareTraining(QuantizationAwareTrainingStep.Configuration(
            layers: PerLayerSettings(default: .init(weights: .weights(bits: 4), activationBits: nil)),
            epochs: 3, learningRate: 0.005))])

    /// k-means weight sharing of every weight layer at `bits` bits with centroid fine-tuning.
    static func cluster(bits: Int) -> Recipe {
        Recipe(
            name: "cluster-\(bits)bit",
            description: "k-means weight sharing (linear init) of every weight layer with \(1 << bits) shared values, then 2 epochs of centroid fine-tuning",
            fineTuning: FineTuningOverrides(schedule: .cosine(minimum: 0)),
            steps: [.weightClustering(WeightClusteringConfiguration(
                bits: PerLayerSettings(default: .init(bits: bits)),
                fineTuning: .init(epochs: 2, learningRate: 0.0001)))])
    }

    /// Knowledge distillation into `mlp-784-100-10` (for either teacher: it takes MNIST's
    /// `[1, 28, 28]` input), trained like `shrink train` trains LeNet-300-100 (20 epochs,
    /// SGD momentum 0.9, weight decay 5e-4, lr 0.05 cosine, batch 64) so that it can be compared
    /// with the same student trained alone. Edit `student` for another student.
    public static let distill = Recipe(
        name: "distill",
        description: "knowledge distillation (T = 2, alpha = 0.5) into the student mlp-784-100-10, 20 epochs at lr 0.05 cosine; edit 'student' for another student",
        fineTuning: FineTuningOverrides(
            batchSize: 64, optimizer: .sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: false), schedule: .cosine(minimum: 0)),
        steps: [.distillation(DistillationConfiguration(
            student: .named("mlp-784-100-10"), temperature: 2, hardLabelWeight: 0.5, epochs: 20, learningRate: 0.05, seed: 1))])
}
