import Foundation
import ShrinkData
import ShrinkFormats
import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// One training run of a zoo model: what `shrink train` and `shrink demo` both do to turn an
/// architecture name and data into a model file.
struct TrainingJob {
    /// The zoo architecture, e.g. `lenet-300-100`.
    var model: String
    /// The data set's name recorded in the file, e.g. `mnist`.
    var datasetName: String
    /// Epochs, batch, optimizer, learning rate, schedule and seed.
    var configuration: TrainingConfiguration
    /// A short description of the optimizer for the file's training summary.
    var optimizerDescription: String
    /// Whether the file records when it was written and how long training took (otherwise the
    /// same inputs give byte-identical files).
    var recordsTimes: Bool
    /// Random crops and flips of every training batch (seeded by the run's seed), if any.
    var augmentation: ImageAugmentation? = nil
    /// The test split is measured after every this many epochs and after the last.
    var validationInterval = 1

    /// What a run gives: the model file (not yet written) and the per-epoch history.
    struct Outcome {
        var file: ModelFile
        var history: TrainingHistory
    }

    /// Trains from the seed's initialization and returns the model file to write. A model whose
    /// graph starts with an `input_normalization` node (the CIFAR-10 models) gets the per-channel
    /// mean and standard deviation of `training`, so the file carries its preprocessing.
    func run(training: LabeledDataset, test: LabeledDataset, observer: (TrainingEvent) -> Void) throws -> Outcome {
        var graph = try ModelZoo.graph(named: model)
        if graph.nodes.first?.operatorType == InputNormalizationOperator.typeName, training.inputs.shape.count >= 2,
           training.inputs.shape[1] == 3 {
            let measured = ChannelNormalization.measured(on: training)
            graph = try ModelZoo.graph(named: model, inputNormalization: InputNormalizationOperator(
                mean: measured.mean, standardDeviation: measured.standardDeviation))
        }
        var generator = SeededRandomNumberGenerator(seed: configuration.seed)
        let network = try GraphNetwork(graph: graph, generator: &generator)
        // The network reshapes a sample of the right size (MNIST's [1, 28, 28] for a [784] input),
        // but cannot take another data set's images (CIFAR-10's [3, 32, 32] for a LeNet).
        guard Tensor.elementCount(of: network.sampleInputShape) == Tensor.elementCount(of: training.sampleShape) else {
            throw CommandFailure("\(model) takes inputs \(network.sampleInputShape) but \(datasetName) samples are "
                                 + "\(training.sampleShape): choose a model for this data set")
        }
        let history = try Trainer(batchTransform: augmentation, validationInterval: validationInterval).train(
            model: network, on: training, validation: test, configuration: configuration, observer: observer)
        let last = history.last
        let summary = TrainingSummary(
            dataset: datasetName, epochs: configuration.epochs, seed: configuration.seed,
            optimizer: optimizerDescription,
            finalTrainingLoss: last?.trainingLoss, testAccuracy: last?.validationTop1Accuracy,
            trainingSeconds: recordsTimes ? history.epochs.map(\.trainingSeconds).reduce(0, +) : nil)
        let file = ModelFile(
            graph: network.graph, parameters: network.parameters,
            metadata: ModelMetadata(createdAt: recordsTimes ? ModelMetadata.timestamp(for: Date()) : nil, training: summary))
        return Outcome(file: file, history: history)
    }
}
