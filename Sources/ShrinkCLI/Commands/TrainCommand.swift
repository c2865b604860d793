import ArgumentParser
import Foundation
import ShrinkData
import ShrinkFormats
import ShrinkNN
import ShrinkTensor
import ShrinkTraining

extension OptimizerName: ExpressibleByArgument {}
extension ScheduleName: ExpressibleByArgument {}

/// `shrink train`: trains a zoo model from scratch and writes it as a model file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from scratch and save it as a Shrink model file.")

    @Option(help: "The architecture: \(ModelZoo.names.joined(separator: ", ")).")
    var model: String

    @OptionGroup var data: DatasetOptions
    @OptionGroup var compute: ComputeOptions

    @Option(help: "Training epochs (default: 20 for lenet-300-100, 12 for lenet-5).")
    var epochs: Int?

    @Option(help: "Mini-batch size.")
    var batchSize: Int = 64

    @Option(help: "Base learning rate (default: 0.05 for lenet-300-100, 0.02 for lenet-5).")
    var learningRate: Float?

    @Option(help: "Optimizer: sgd or adam.")
    var optimizer: OptimizerName = .sgd

    @Option(help: "SGD momentum.")
    var momentum: Float = 0.9

    @Option(help: "L2 weight decay.")
    var weightDecay: Float = 5e-4

    @Option(help: "Learning-rate schedule: cosine (per batch), step (×0.1 every third of the epochs) or constant.")
    var schedule: ScheduleName = .cosine

    @Option(help: "Epochs of linear learning-rate warm-up before the schedule (with cosine: a one-cycle-like run).")
    var warmupEpochs: Int = 0

    @Option(help: "Measure the test split after every N epochs and after the last (the test set of CIFAR-10 costs ResNet-20 about 13 % of an epoch on two cores).")
    var evaluateEvery: Int = 1

    @Option(help: "Seed for initialization, shuffling and dropout.")
    var seed: UInt64 = 1

    @Option(help: "Train on the first N training samples only (quick runs).")
    var trainLimit: Int?

    @Option(help: "Where to write the trained model file.")
    var output: String

    @OptionGroup var overwrite: OverwriteOptions

    @Flag(help: "Also store when the file was written and how long training took (without it, the same command, data and seed give byte-identical files).")
    var timestamp = false

    @Flag(help: "Print the training history as JSON instead of a table.")
    var json = false

    @OptionGroup var augmentation: AugmentationOptions

    func validate() throws {
        do {
            _ = try ModelZoo.graph(named: model)
        } catch {
            throw ValidationError("\(error)")
        }
        try OutputPath.check(output, force: overwrite.force)
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs).") }
        if evaluateEvery < 1 { throw ValidationError("--evaluate-every must be at least 1, got \(evaluateEvery).") }
        if warmupEpochs < 0 || warmupEpochs >= (epochs ?? TrainingDefaults.forModel(named: model).epochs) {
            throw ValidationError("--warmup-epochs must be at least 0 and fewer than the epochs, got \(warmupEpochs).")
        }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
        if let trainLimit, trainLimit < 1 { throw ValidationError("--train-limit must be at least 1, got \(trainLimit).") }
        if let learningRate, !(learningRate > 0) {
            throw ValidationError("--learning-rate must be positive, got \(learningRate).")
        }
    }

    func run() throws {
        compute.applyForTraining()
        let defaults = TrainingDefaults.forModel(named: model)
        let epochCount = epochs ?? defaults.epochs
        var training = try data.load(.train)
        if let trainLimit { training = training.prefix(trainLimit) }
        let test = try data.load(.test)
        let stepsPerEpoch = (training.count + batchSize - 1) / batchSize
        let configuration = TrainingConfiguration(
            epochs: epochCount,
            batchSize: batchSize,
            optimizer: optimizerConfiguration,
            baseLearningRate: learningRate ?? defaults.learningRate,
            schedule: scheduleConfiguration(epochs: epochCount, stepsPerEpoch: stepsPerEpoch),
            seed: seed)

        if !json {
            print("Training \(model) on \(data.dataset.rawValue): \(training.count) samples, "
                  + "\(epochCount) epochs, batch \(batchSize), \(optimizer.rawValue), lr \(configuration.baseLearningRate), "
                  + "\(schedule.rawValue) schedule" + (warmupEpochs > 0 ? " after \(warmupEpochs) warm-up epochs" : "") + ", seed \(seed), \(compute.threads.map(String.init) ?? "all") threads"
                  + (augmentation.augmentation(for: data.dataset) != nil ? ", crop-and-flip augmentation" : ""))
        }
        let display = TrainingProgressDisplay(showsTable: !json)
        let job = TrainingJob(
            model: model, datasetName: data.dataset.rawValue, configuration: configuration,
            optimizerDescription: "\(optimizer.rawValue) momentum \(momentum) weight decay \(weightDecay), "
                + "lr \(configuration.baseLearningRate) \(schedule.rawValue), batch \(batchSize)",
            recordsTimes: timestamp,
            augmentation: augmentation.augmentation(for: data.dataset), validationInterval: evaluateEvery)
        let outcome = try job.run(training: training, test: test, observer: display.observe)
        let history = outcome.history
        try outcome.file.write(to: output)

        if json {
            try printJSON(TrainingReport(model: model, output: output, configuration: configuration, history: history))
        } else if let last = history.last {
            print("Saved \(output): test error \(percent(1 - (last.validationTop1Accuracy ?? 0))) after \(last.epoch) epochs")
        }
    }

    private var optimizerConfiguration: OptimizerConfiguration {
        switch optimizer {
        case .sgd: .sgd(momentum: momentum, weightDecay: weightDecay, nesterov: false)
        case .adam: .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: weightDecay)
        }
    }

    private func scheduleConfiguration(epochs: Int, stepsPerEpoch: Int) -> LearningRateSchedule {
        let main: LearningRateSchedule = switch schedule {
        case .cosine: .cosine(minimum: 0)
        case .step: .step(stepSize: max(1, epochs / 3), gamma: 0.1)
        case .constant: .constant
        }
        return warmupEpochs > 0 ? .warmup(steps: warmupEpochs * stepsPerEpoch, then: main) : main
    }
}
