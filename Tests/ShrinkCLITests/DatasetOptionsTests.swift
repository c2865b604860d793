import ArgumentParser
import Foundation
import ShrinkData
import ShrinkFormats
import ShrinkNN
import Testing
@testable import ShrinkCLI

@Suite struct DatasetOptionsTests {
    @Test func cifar10WithoutDataDirectoryLoadsTheRepositorySubset() throws {
        let options = try DatasetOptions.parse(["--dataset", "cifar10"])
        #expect(options.dataset == .cifar10)
        let training = try options.load(.train)
        let test = try options.load(.test)
        #expect(training.inputs.shape == [100, 3, 32, 32] && test.inputs.shape == [100, 3, 32, 32])
        #expect(training.classCount == 10)
    }

    @Test func cifar10WithADataDirectoryNeedsAllFiveTrainingBatches() throws {
        let subset = try CIFAR10.defaultSubsetDirectory()
        let options = try DatasetOptions.parse(["--dataset", "cifar10", "--data-dir", subset])
        #expect(try options.load(.test).count == 100)
        let error = #expect(throws: CIFAR10Error.self) { try options.load(.train) }
        let message = String(describing: try #require(error))
        #expect(message.contains("data_batch_2.bin") && message.contains("cifar-10-binary.tar.gz"))
        #expect(!message.contains("\n"))
    }

    @Test func mnistIsStillTheDefault() throws {
        let options = try DatasetOptions.parse([])
        #expect(options.dataset == .mnist)
        #expect(try options.load(.test).inputs.shape == [10_000, 1, 28, 28])
    }

    /// A CIFAR model trained on CIFAR-10 carries the training split's channel statistics as its
    /// first node, and trains with crop-and-flip augmentation unless told not to.
    @Test func aCIFARModelFileCarriesItsInputNormalization() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let arguments = ["--model", "resnet-20", "--dataset", "cifar10", "--epochs", "1", "--train-limit", "64", "--threads", "1", "--json"]
        let path = directory + "/resnet.shrink", plain = directory + "/plain.shrink"
        try TrainCommand.parse(arguments + ["--output", path]).run()
        try TrainCommand.parse(arguments + ["--output", plain, "--no-augmentation"]).run()
        let file = try ModelFile.read(from: path)
        let node = try #require(file.graph.nodes.first)
        #expect(node.name == "input_normalization")
        let stored = try InputNormalizationOperator(attributes: node.attributes)
        let measured = ChannelNormalization.measured(on: try CIFAR10.load(split: .train, from: CIFAR10.defaultSubsetDirectory(),
                                                                          trainingBatches: CIFAR10.subsetTrainingBatches, limit: 64))
        #expect(stored.mean == measured.mean && stored.standardDeviation == measured.standardDeviation)
        // Augmentation changed what the network saw, so the weights differ.
        #expect(try ModelFile.read(from: plain).tensors != file.tensors)
    }

    @Test func trainingAModelOnImagesOfAnotherShapeFailsWithOneLine() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let train = try TrainCommand.parse([
            "--model", "lenet-5", "--dataset", "cifar10", "--epochs", "1", "--threads", "1", "--output", directory + "/model.shrink",
        ])
        let error = #expect(throws: (any Error).self) { try train.run() }
        let message = String(describing: try #require(error))
        #expect(message == "lenet-5 takes inputs [1, 28, 28] but cifar10 samples are [3, 32, 32]: choose a model for this data set")
    }
}
