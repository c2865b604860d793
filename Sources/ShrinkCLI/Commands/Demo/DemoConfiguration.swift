import ShrinkCompression
import ShrinkData

/// How much work `shrink demo` does: training, fine-tuning and test data, the recipes and the
/// measurement protocol. `full` and `quick` are the command's two settings; tests build smaller
/// ones. Stored in the demo folder's state, so a re-run with other settings redoes the work.
struct DemoConfiguration: Codable, Equatable, Sendable {
    /// `full`, `quick`, or a test's name; shown in the report.
    var name: String
    /// Training epochs of every baseline (nil: `shrink train`'s default per model).
    var trainingEpochs: Int?
    /// Baselines train on the first N training images (nil: all 60,000).
    var trainingSampleLimit: Int?
    /// Fine-tuning and calibration use the first N training images (nil: all)...
    var fineTuningSampleLimit: Int?
    /// ... except for these models, which fine-tune on every training image: the MLPs, whose
    /// epochs take seconds (LeNet-300-100's Deep Compression reaches the paper's error only with
    /// the whole set: 1.42 % against 1.64 % on half of it, seed 1).
    var allImageFineTuningModels: [String] = []
    /// Accuracy is measured on the first N test images (nil: all 10,000).
    var testSampleLimit: Int?
    /// The built-in recipes run on every model, in order.
    var recipes: [String]
    /// The seed of training and of every recipe's fine-tuning.
    var seed: UInt64
    /// The latency protocol.
    var benchmark: DemoBenchmarkSettings

    /// The README's run: baselines trained like `shrink train` (all data, default epochs), every
    /// recipe fine-tuning on the whole training set for LeNet-300-100 and on half of it for
    /// LeNet-5 (whose fine-tuning epochs take minutes), accuracy on the whole test set.
    static let full = DemoConfiguration(
        name: "full", trainingEpochs: nil, trainingSampleLimit: nil, fineTuningSampleLimit: 30_000,
        allImageFineTuningModels: ["lenet-300-100"], testSampleLimit: nil, recipes: BuiltInRecipes.names, seed: 1,
        benchmark: DemoBenchmarkSettings(
            batchSizes: [1, 64], warmUpRuns: 5, minimumRuns: 10, maximumRuns: 60, minimumRunSeconds: 0.005,
            profileRuns: 20, runsPerRound: 3))

    /// A few minutes on two cores: short training on a fifth of the data, fine-tuning on 3,000
    /// images, accuracy on 2,000, a shorter latency protocol. Figures are indicative only.
    static let quick = DemoConfiguration(
        name: "quick", trainingEpochs: 3, trainingSampleLimit: 12_000, fineTuningSampleLimit: 3_000, allImageFineTuningModels: [],
        testSampleLimit: 2_000,
        recipes: BuiltInRecipes.names, seed: 1,
        benchmark: DemoBenchmarkSettings(
            batchSizes: [1, 64], warmUpRuns: 2, minimumRuns: 5, maximumRuns: 20, minimumRunSeconds: 0.002,
            profileRuns: 5, runsPerRound: 2))

    /// The images `model`'s recipes fine-tune and calibrate on: the first `fineTuningSampleLimit`
    /// of `training`, or all of them.
    func fineTuningSet(for model: String, training: LabeledDataset) -> LabeledDataset {
        guard let limit = fineTuningSampleLimit, !allImageFineTuningModels.contains(model) else { return training }
        return training.prefix(limit)
    }

    /// The part of the settings a baseline depends on: a change retrains it.
    var trainingKey: String {
        "epochs \(trainingEpochs.map(String.init) ?? "default"), samples \(trainingSampleLimit.map(String.init) ?? "all"), seed \(seed)"
    }
}

/// The latency protocol of `shrink demo` (`ModelBenchmark.Configuration`'s fields of the same names).
struct DemoBenchmarkSettings: Codable, Equatable, Sendable {
    var batchSizes: [Int]
    var warmUpRuns: Int
    var minimumRuns: Int
    var maximumRuns: Int
    var minimumRunSeconds: Double
    var profileRuns: Int
    var runsPerRound: Int
}
