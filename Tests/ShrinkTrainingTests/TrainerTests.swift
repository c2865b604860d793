import Foundation
import ShrinkData
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkTraining

@Suite("Trainer")
struct TrainerTests {
    static let centers: [[Float]] = [[2, 2, 0, 0], [-2, 0, 2, 0], [0, -2, -2, 1]]

    /// Three Gaussian blobs (σ = 0.5) in four dimensions, labels in round-robin order.
    static func blobs(count: Int, seed: UInt64) -> LabeledDataset {
        var generator = SeededRandomNumberGenerator(seed: seed)
        var scalars = [Float]()
        var labels = [Int]()
        for index in 0..<count {
            let label = index % centers.count
            labels.append(label)
            for feature in 0..<4 { scalars.append(centers[label][feature] + 0.5 * generator.nextNormal()) }
        }
        return LabeledDataset(inputs: Tensor(shape: [count, 4], scalars: scalars), labels: labels, classCount: 3)
    }

    static let training = blobs(count: 240, seed: 1)
    static let validation = blobs(count: 90, seed: 2)

    static func configuration(seed: UInt64 = 7, epochs: Int = 4) -> TrainingConfiguration {
        TrainingConfiguration(
            epochs: epochs, batchSize: 16, optimizer: .sgd(momentum: 0.9, weightDecay: 1e-4, nesterov: false),
            baseLearningRate: 0.05, schedule: .cosine(minimum: 0), seed: seed)
    }

    @Test("a linear model learns separable blobs; loss falls; events and summaries are complete")
    func learnsSeparableProblem() throws {
        let model = TestLinearLayer(inputFeatures: 4, outputFeatures: 3, seed: 3)
        let before = Evaluator.evaluate(model: model, on: Self.validation)
        var batchEvents = [(epoch: Int, batch: Int, batchCount: Int)]()
        var epochEvents = [EpochSummary]()
        let history = try Trainer().train(
            model: model, on: Self.training, validation: Self.validation, configuration: Self.configuration()
        ) { event in
            switch event {
            case let .batchFinished(epoch, batch, batchCount, loss):
                #expect(loss.isFinite)
                batchEvents.append((epoch, batch, batchCount))
            case let .epochFinished(summary):
                epochEvents.append(summary)
            }
        }
        #expect(history.epochs.count == 4)
        #expect(epochEvents == history.epochs)
        #expect(batchEvents.count == 4 * 15)
        #expect(batchEvents.allSatisfy { $0.batchCount == 15 })
        #expect(batchEvents.first! == (1, 1, 15) && batchEvents.last! == (4, 15, 15))

        let first = history.epochs.first!
        let last = history.last!
        #expect(last.trainingLoss < first.trainingLoss * 0.5)
        #expect(last.trainingAccuracy >= 0.95)
        #expect(last.validationTop1Accuracy! >= 0.95)
        #expect(last.validationTop5Accuracy == 1)
        #expect(last.validationLoss! < before.meanLoss * 0.5)
        #expect(before.top1Accuracy < 0.9)
        // Cosine over 60 steps: the last step (59) runs at 0.05·(1 + cos(59π/60))/2.
        #expect(abs(last.learningRate - 0.05 * (1 + cos(Float.pi * 59 / 60)) / 2) < 1e-7)
        #expect(last.trainingSeconds >= 0 && last.evaluationSeconds >= 0)
    }

    @Test("equal seeds give identical parameters; another shuffle seed gives different ones")
    func reproducible() throws {
        func trainedParameters(seed: UInt64) throws -> [[Float]] {
            let model = TestLinearLayer(inputFeatures: 4, outputFeatures: 3, seed: 3)
            try Trainer().train(model: model, on: Self.training, configuration: Self.configuration(seed: seed, epochs: 2))
            return model.parameters.map(\.value.scalars)
        }
        let first = try trainedParameters(seed: 7)
        #expect(try trainedParameters(seed: 7) == first)
        #expect(try trainedParameters(seed: 8) != first)
    }

    /// Adds seeded noise to every input and counts the batches it saw.
    final class NoiseTransform: TrainingBatchTransform, @unchecked Sendable {
        var batches = 0
        func transformed(_ batch: Batch, using generator: inout SeededRandomNumberGenerator) -> Batch {
            batches += 1
            return Batch(inputs: Tensor(shape: batch.inputs.shape, scalars: batch.inputs.scalars.map { $0 + generator.nextNormal() }),
                         labels: batch.labels)
        }
    }

    @Test("a batch transform changes every training batch, reproducibly for a seed")
    func batchTransform() throws {
        func trained(seed: UInt64, transform: NoiseTransform?) throws -> [[Float]] {
            let model = TestLinearLayer(inputFeatures: 4, outputFeatures: 3, seed: 3)
            try Trainer(batchTransform: transform).train(model: model, on: Self.training, configuration: Self.configuration(seed: seed, epochs: 2))
            return model.parameters.map(\.value.scalars)
        }
        let transform = NoiseTransform()
        let augmented = try trained(seed: 7, transform: transform)
        #expect(transform.batches == 2 * 15)
        #expect(try trained(seed: 7, transform: NoiseTransform()) == augmented)
        #expect(try trained(seed: 7, transform: nil) != augmented)
        #expect(try trained(seed: 8, transform: NoiseTransform()) != augmented)
    }

    @Test("the validation set is measured every validationInterval epochs and after the last")
    func validationInterval() throws {
        let model = TestLinearLayer(inputFeatures: 4, outputFeatures: 3, seed: 3)
        let history = try Trainer(validationInterval: 2).train(
            model: model, on: Self.training, validation: Self.validation, configuration: Self.configuration(seed: 7, epochs: 5))
        #expect(history.epochs.map { $0.validationTop1Accuracy != nil } == [false, true, false, true, true])
        #expect(history.epochs.filter { $0.validationTop1Accuracy == nil }.allSatisfy { $0.evaluationSeconds == 0 })
        #expect(throws: TrainingError.invalidSetting(name: "validationInterval", value: "0")) {
            try Trainer(validationInterval: 0).train(model: model, on: Self.training, configuration: Self.configuration())
        }
    }

    @Test("epoch shuffles depend only on seed and epoch")
    func shuffleGenerators() {
        var a = Trainer.shuffleGenerator(seed: 5, epoch: 3)
        var b = Trainer.shuffleGenerator(seed: 5, epoch: 3)
        var c = Trainer.shuffleGenerator(seed: 5, epoch: 4)
        let first = a.next()
        #expect(first == b.next())
        #expect(first != c.next())
    }

    @Test("fine-tuning with a mask keeps pruned weights exactly zero and the model accurate")
    func fineTuneWithMask() throws {
        let model = TestLinearLayer(inputFeatures: 4, outputFeatures: 3, seed: 3)
        try Trainer().train(model: model, on: Self.training, configuration: Self.configuration())
        // Prune the smallest half of the weights by magnitude.
        let weights = model.weight.value.scalars
        let threshold = weights.map(abs).sorted()[weights.count / 2]
        let mask = Tensor(shape: model.weight.value.shape, scalars: weights.map { abs($0) < threshold ? 0 : 1 })
        let trainer = Trainer(constraints: [MaskConstraint(masks: ["fc.weight": mask])])
        var fineTune = Self.configuration(seed: 9, epochs: 2)
        fineTune.baseLearningRate = 0.01
        fineTune.optimizer = .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-3)
        let history = try trainer.train(model: model, on: Self.training, validation: Self.validation, configuration: fineTune)
        for (value, keep) in zip(model.weight.value.scalars, mask.scalars) {
            if keep == 0 { #expect(value == 0) } else { #expect(value != 0) }
        }
        #expect(history.last!.validationTop1Accuracy! >= 0.9)
    }

    @Test("distillation from soft targets alone (hard weight 0) teaches a fresh student")
    func distillation() throws {
        let teacher = TestLinearLayer(name: "teacher", inputFeatures: 4, outputFeatures: 3, seed: 3)
        try Trainer().train(model: teacher, on: Self.training, configuration: Self.configuration())
        let teacherParameters = teacher.parameters.map(\.value)
        let student = TestLinearLayer(inputFeatures: 4, outputFeatures: 3, seed: 4)
        #expect(Evaluator.evaluate(model: student, on: Self.validation).top1Accuracy < 0.9)
        let trainer = Trainer(objective: DistillationObjective(
            teacher: teacher, loss: DistillationLoss(temperature: 2, hardWeight: 0)))
        let history = try trainer.train(
            model: student, on: Self.training, validation: Self.validation, configuration: Self.configuration(seed: 5))
        #expect(teacher.parameters.map(\.value) == teacherParameters)
        #expect(history.last!.trainingLoss < history.epochs.first!.trainingLoss)
        #expect(history.last!.validationTop1Accuracy! >= 0.95)
    }

    @Test("bad inputs are reported as typed errors")
    func errors() {
        let model = TestLinearLayer(inputFeatures: 4, outputFeatures: 3, seed: 3)
        let empty = LabeledDataset(inputs: Tensor(zeros: [0, 4]), labels: [], classCount: 3)
        #expect(throws: TrainingError.emptyDataset) {
            try Trainer().train(model: model, on: empty, configuration: Self.configuration())
        }
        let wrongClasses = LabeledDataset(inputs: Tensor(zeros: [2, 4]), labels: [0, 1], classCount: 5)
        #expect(throws: TrainingError.self) {
            try Trainer().train(model: model, on: Self.training, validation: wrongClasses, configuration: Self.configuration())
        }
        // The model outputs 3 classes but the dataset claims 5.
        #expect(throws: TrainingError.unexpectedOutputShape(expected: [2, 5], actual: [2, 3])) {
            try Trainer().train(model: model, on: wrongClasses, configuration: Self.configuration())
        }
        var diverging = Self.configuration(epochs: 3)
        diverging.baseLearningRate = 1e30
        diverging.schedule = .constant
        let error = #expect(throws: TrainingError.self) {
            try Trainer().train(model: model, on: Self.training, configuration: diverging)
        }
        guard case .nonFiniteLoss(let epoch, _) = error else {
            Issue.record("expected a non-finite loss, got \(String(describing: error))")
            return
        }
        #expect(epoch == 1)
    }

    @Test("the test layer's backward matches finite differences (so the training tests rest on a correct layer)")
    func testLayerGradient() {
        let model = TestLinearLayer(inputFeatures: 4, outputFeatures: 3, seed: 5)
        let batch = Self.training.batch(at: 0..<5)
        let loss = SoftmaxCrossEntropy()
        let result = loss.lossAndGradient(logits: model.forward(batch.inputs, mode: .training), labels: batch.labels)
        model.parameters.forEach { $0.zeroGradient() }
        _ = model.backward(result.gradient)
        for parameter in model.parameters {
            for index in 0..<parameter.value.count {
                let original = parameter.value.scalars[index]
                parameter.value.scalars[index] = original + 1e-2
                let plus = loss.lossAndGradient(logits: model.forward(batch.inputs, mode: .inference), labels: batch.labels).loss
                parameter.value.scalars[index] = original - 1e-2
                let minus = loss.lossAndGradient(logits: model.forward(batch.inputs, mode: .inference), labels: batch.labels).loss
                parameter.value.scalars[index] = original
                #expect(abs((plus - minus) / 2e-2 - parameter.gradient.scalars[index]) < 2e-3, "\(parameter.name)[\(index)]")
            }
        }
    }
}
