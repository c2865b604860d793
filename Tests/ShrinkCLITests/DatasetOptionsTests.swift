import ArgumentParser
import Foundation
import ShrinkData
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
