import ArgumentParser
import Foundation
import ShrinkData
import ShrinkKernels
import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// `shrink-benchmarks train-epoch`: times training epochs of a zoo model (MNIST for the LeNets,
/// CIFAR-10 for `resnet-20`) with the same recipe as `python/train_torch.py` (batch 64, SGD momentum 0.9, weight decay 5e-4,
/// cosine schedule per batch), printing one JSON line per epoch with the same field names, so
/// `compare-training.sh` can put Shrink and PyTorch side by side.
struct TrainingEpochBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-epoch",
        abstract: "Time training epochs (JSON lines, one per epoch).")

    @Option(help: "lenet-300-100 or lenet-5 (MNIST), resnet-20 (CIFAR-10).")
    var model: String

    @Option(help: "Epochs to time.")
    var epochs: Int = 1

    @Option(help: "Threads.")
    var threads: Int = 1

    @Option(help: "Mini-batch size.")
    var batchSize: Int = 64

    @Option(help: "Base learning rate.")
    var learningRate: Float = 0.05

    @Option(help: "Seed.")
    var seed: UInt64 = 1

    @Option(name: .customLong("data-dir"),
            help: "The MNIST folder (default: the repository's Data/mnist) or, for resnet-20, the CIFAR-10 binary batches.")
    var dataDirectory: String?

    @Option(help: "Train on the first N samples only.")
    var trainLimit: Int?

    @Option(help: "Test on the first N samples only.")
    var testLimit: Int?

    func run() throws {
        Parallelism.threadCount = threads
        MemoryRetention.retainFreedMemory()  // as `shrink train` does
        var (training, test) = try loadData()
        if let trainLimit { training = training.prefix(trainLimit) }
        if let testLimit { test = test.prefix(testLimit) }
        var generator = SeededRandomNumberGenerator(seed: seed)
        let network = try GraphNetwork(graph: ModelZoo.graph(named: model), generator: &generator)
        let configuration = TrainingConfiguration(
            epochs: epochs, batchSize: batchSize,
            optimizer: .sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: false),
            baseLearningRate: learningRate, schedule: .cosine(minimum: 0), seed: seed)
        var failure: (any Error)?
        _ = try Trainer().train(model: network, on: training, validation: test, configuration: configuration) { event in
            guard case let .epochFinished(summary) = event else { return }
            let record = EpochRecord(
                framework: "shrink", model: model, epoch: summary.epoch, threads: threads, batch_size: batchSize,
                train_seconds: summary.trainingSeconds, train_loss: summary.trainingLoss,
                test_error: 1 - (summary.validationTop1Accuracy ?? 0))
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(record), as: UTF8.self))
                fflush(stdout)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// The training and test splits: MNIST, or CIFAR-10 normalized per channel with the training
    /// split's statistics (as `python/train_torch.py`, up to its rounded constants) for `resnet-20`.
    func loadData() throws -> (LabeledDataset, LabeledDataset) {
        guard model == "resnet-20" else {
            let directory = try dataDirectory ?? MNIST.defaultDirectory()
            return (try MNIST.load(split: .train, from: directory), try MNIST.load(split: .test, from: directory))
        }
        guard let directory = dataDirectory else { throw ValidationError("resnet-20 needs --data-dir with the CIFAR-10 batches.") }
        let training = try CIFAR10.load(split: .train, from: directory, limit: trainLimit)
        let normalization = ChannelNormalization.measured(on: training)
        return (normalization.apply(to: training),
                normalization.apply(to: try CIFAR10.load(split: .test, from: directory, limit: testLimit)))
    }

    /// One epoch's result; field names match `python/train_torch.py`.
    struct EpochRecord: Encodable {
        var framework: String
        var model: String
        var epoch: Int
        var threads: Int
        var batch_size: Int
        var train_seconds: Double
        var train_loss: Double
        var test_error: Double
    }
}
