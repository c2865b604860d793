import Foundation
import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkKernels
import ShrinkNN
import ShrinkTraining
import Testing
@testable import ShrinkCLI

/// The same command, inputs and seed give byte-identical files, at any thread count.
@Suite(.serialized) struct ReproducibilityTests {
    static let training = try! MNIST.load(split: .train, from: MNIST.defaultDirectory()).prefix(320)
    static let test = try! MNIST.load(split: .test, from: MNIST.defaultDirectory()).prefix(200)

    /// The bytes `shrink train` would write for `model` (one epoch on 320 images) at `threads` threads.
    static func trainedBytes(_ model: String, threads: Int, recordsTimes: Bool = false) throws -> [UInt8] {
        let configuration = TrainingDefaults.configuration(forModel: model, epochs: 1, seed: 7)
        let job = TrainingJob(model: model, datasetName: "mnist", configuration: configuration,
                              optimizerDescription: TrainingDefaults.optimizerDescription(configuration), recordsTimes: recordsTimes)
        return try Parallelism.withThreadCount(threads) {
            try job.run(training: training, test: test, observer: { _ in }).file.encoded()
        }
    }

    @Test(arguments: ["lenet-5", "lenet-300-100"])
    func trainingGivesByteIdenticalFilesAtOneAndTwoThreads(model: String) throws {
        let one = try Self.trainedBytes(model, threads: 1)
        let two = try Self.trainedBytes(model, threads: 2)
        let again = try Self.trainedBytes(model, threads: 2)
        #expect(two == again, "two runs at 2 threads differ")
        #expect(one == two, "\(model): 1 and 2 threads give different files (first difference at byte \(one.indices.first { $0 < two.count && one[$0] != two[$0] } ?? -1))")
    }

    @Test func timesAreStoredOnlyWhenAskedFor() throws {
        let plain = try ModelFile.decode(try Self.trainedBytes("lenet-300-100", threads: 2))
        #expect(plain.metadata.createdAt == nil && plain.metadata.training?.trainingSeconds == nil)
        let timed = try ModelFile.decode(try Self.trainedBytes("lenet-300-100", threads: 2, recordsTimes: true))
        #expect(timed.metadata.createdAt != nil && timed.metadata.training?.trainingSeconds != nil)
        #expect(try TrainCommand.parse(["--model", "lenet-5", "--output", "/tmp/never-written.shrink", "--timestamp"]).timestamp)
    }

    @Test func compressionGivesByteIdenticalFilesAtOneAndTwoThreads() throws {
        let input = try ModelFile.decode(try Self.trainedBytes("lenet-5", threads: 2))
        var recipe = try #require(BuiltInRecipes.recipe(named: "prune-50"))
        recipe.fineTuning.seed = 7
        func compressed(threads: Int, recordsTimes: Bool = false) throws -> ModelFile {
            try Parallelism.withThreadCount(threads) {
                try CompressionJob(recipe: recipe, threads: threads, recordsTimes: recordsTimes)
                    .run(modelFile: input, network: try GraphNetwork(file: input), training: Self.training, test: Self.test).file
            }
        }
        let one = try compressed(threads: 1).encoded()
        let two = try compressed(threads: 2).encoded()
        #expect(one == two, "prune-50 at 1 and 2 threads gives different files")
        let timed = try compressed(threads: 2, recordsTimes: true)
        #expect(timed.metadata.createdAt != nil && timed.metadata.compression?.totalSeconds != nil)
        #expect(try ModelFile.decode(one).metadata.compression?.steps.allSatisfy { $0.seconds == nil } == true)
    }
}
