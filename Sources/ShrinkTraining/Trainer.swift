import ShrinkData
import ShrinkNN
import ShrinkTensor

/// Trains a classifier with mini-batch gradient descent.
///
/// One `Trainer` value describes *what* is minimized (the objective) and *which constraints*
/// hold throughout (e.g. pruning masks); `train` runs it with a `TrainingConfiguration`. The
/// same trainer serves training from scratch and fine-tuning an existing model for a few epochs
/// (each `train` call starts a fresh optimizer and schedule on the model's current weights).
public struct Trainer {
    /// The loss minimized per batch.
    public var objective: any TrainingObjective
    /// Constraints enforced before the first step and after every optimizer step.
    public var constraints: [any ParameterConstraint]
    /// The batch size of the validation passes.
    public var evaluationBatchSize: Int
    /// Applied to every training batch before the forward pass (data augmentation), if any.
    public var batchTransform: (any TrainingBatchTransform)?
    /// The validation set is evaluated after every this many epochs and always after the last
    /// (1: after every epoch). A long run on two cores buys training time with a larger value:
    /// CIFAR-10's 10,000 test images cost ResNet-20 about 13 % of an epoch.
    public var validationInterval: Int

    public init(
        objective: any TrainingObjective = SoftmaxCrossEntropy(),
        constraints: [any ParameterConstraint] = [],
        evaluationBatchSize: Int = 1000,
        batchTransform: (any TrainingBatchTransform)? = nil,
        validationInterval: Int = 1
    ) {
        self.objective = objective
        self.constraints = constraints
        self.evaluationBatchSize = evaluationBatchSize
        self.batchTransform = batchTransform
        self.validationInterval = validationInterval
    }

    /// Trains `model` in place on `training` and reports progress to `observer`.
    ///
    /// Every epoch visits the samples in an order shuffled by a generator derived from
    /// `configuration.seed` and the epoch number alone, so runs are reproducible and each epoch's
    /// order is independent of the others. Per batch: training-mode forward → objective →
    /// zero gradients → backward → optimizer step at the scheduled learning rate → constraints.
    /// A `batchTransform` (augmentation) changes each batch first, drawing from a generator of
    /// the seed and the epoch.
    /// After each epoch (every `validationInterval` epochs and the last) the model is evaluated on
    /// `validation`, if given.
    ///
    /// - Throws: `TrainingError` for an invalid configuration, an empty training set, a validation
    ///   set that does not match, a model output that is not `[batch, classCount]`, or a
    ///   non-finite loss (divergence; the model is left as it was at that point).
    @discardableResult
    public func train(
        model: any Layer,
        on training: LabeledDataset,
        validation: LabeledDataset? = nil,
        configuration: TrainingConfiguration,
        observer: (TrainingEvent) -> Void = { _ in }
    ) throws(TrainingError) -> TrainingHistory {
        try configuration.validate()
        guard evaluationBatchSize > 0 else {
            throw .invalidSetting(name: "evaluationBatchSize", value: "\(evaluationBatchSize)")
        }
        guard validationInterval > 0 else {
            throw .invalidSetting(name: "validationInterval", value: "\(validationInterval)")
        }
        guard training.count > 0 else { throw .emptyDataset }
        if let validation, validation.sampleShape != training.sampleShape || validation.classCount != training.classCount {
            throw .mismatchedValidationSet(
                trainingShape: training.sampleShape, validationShape: validation.sampleShape,
                trainingClasses: training.classCount, validationClasses: validation.classCount)
        }

        let optimizer = configuration.optimizer.makeOptimizer()
        let allParameters = model.parameters
        let trainableParameters = allParameters.filter { $0.kind == .trainable }
        for constraint in constraints { constraint.apply(to: allParameters) }

        let sampleCount = training.count
        let batchSize = configuration.batchSize
        let classCount = training.classCount
        let batchCount = (sampleCount + batchSize - 1) / batchSize
        let totalSteps = batchCount * configuration.epochs
        let clock = ContinuousClock()
        var history = TrainingHistory()
        var order = [Int](repeating: 0, count: sampleCount)
        var globalStep = 0

        for epoch in stride(from: 1, through: configuration.epochs, by: 1) {
            let epochStart = clock.now
            for index in 0..<sampleCount { order[index] = index }
            var generator = Self.shuffleGenerator(seed: configuration.seed, epoch: epoch)
            order.seededShuffle(using: &generator)
            // Augmentation draws from its own generator (of the seed and epoch), so the order of
            // the samples is the same with and without it.
            var transformGenerator = Self.shuffleGenerator(seed: configuration.seed ^ 0xA5A5_5A5A_0F0F_F0F0, epoch: epoch)

            var lossSum = 0.0
            var correct = 0
            var learningRate = configuration.baseLearningRate
            for batchIndex in 0..<batchCount {
                let start = batchIndex * batchSize
                var batch = training.batch(at: order[start..<min(start + batchSize, sampleCount)])
                if let batchTransform { batch = batchTransform.transformed(batch, using: &transformGenerator) }
                let rows = batch.labels.count
                let outputs = model.forward(batch.inputs, mode: .training) // [batch, classes]
                guard outputs.shape == [rows, classCount] else {
                    throw .unexpectedOutputShape(expected: [rows, classCount], actual: outputs.shape)
                }
                let result = objective.lossAndGradient(outputs: outputs, batch: batch)
                guard result.loss.isFinite else { throw .nonFiniteLoss(epoch: epoch, batch: batchIndex + 1) }
                correct += Self.correctCount(outputs: outputs, labels: batch.labels)
                lossSum += Double(result.loss) * Double(rows)

                for parameter in trainableParameters { parameter.zeroGradient() }
                _ = model.backward(result.gradient, needsInputGradient: false)
                learningRate = configuration.schedule.learningRate(
                    base: configuration.baseLearningRate, step: globalStep, totalSteps: totalSteps,
                    stepsPerEpoch: batchCount)
                optimizer.step(parameters: trainableParameters, learningRate: learningRate)
                for constraint in constraints { constraint.apply(to: allParameters) }
                globalStep += 1
                observer(.batchFinished(epoch: epoch, batch: batchIndex + 1, batchCount: batchCount, loss: result.loss))
            }
            let trainingSeconds = Self.seconds(clock.now - epochStart)

            var evaluation: EvaluationResult?
            var evaluationSeconds = 0.0
            if let validation, epoch % validationInterval == 0 || epoch == configuration.epochs {
                let evaluationStart = clock.now
                evaluation = Evaluator.evaluate(model: model, on: validation, batchSize: evaluationBatchSize)
                evaluationSeconds = Self.seconds(clock.now - evaluationStart)
            }
            let summary = EpochSummary(
                epoch: epoch, trainingLoss: lossSum / Double(sampleCount),
                trainingAccuracy: Double(correct) / Double(sampleCount),
                validationTop1Accuracy: evaluation?.top1Accuracy, validationTop5Accuracy: evaluation?.top5Accuracy,
                validationLoss: evaluation?.meanLoss, learningRate: learningRate,
                trainingSeconds: trainingSeconds, evaluationSeconds: evaluationSeconds)
            history.epochs.append(summary)
            observer(.epochFinished(summary))
        }
        return history
    }

    /// The shuffling generator of `epoch`, a function of the run's seed and the epoch only.
    static func shuffleGenerator(seed: UInt64, epoch: Int) -> SeededRandomNumberGenerator {
        // Mix the epoch into the seed with a odd multiplier so (seed, epoch) pairs do not collide
        // trivially; the generator's SplitMix64 seeding scrambles the result further.
        SeededRandomNumberGenerator(seed: seed ^ (UInt64(truncatingIfNeeded: epoch) &* 0xD1B5_4A32_D192_ED03))
    }

    /// How many rows of `outputs` (`[batch, classes]`) have their label as the first maximum.
    static func correctCount(outputs: Tensor, labels: [Int]) -> Int {
        let classCount = outputs.shape[1]
        var correct = 0
        outputs.withUnsafeBufferPointer { buffer in
            for (row, label) in labels.enumerated()
            where LogitRanking.argmax(buffer.baseAddress! + row * classCount, count: classCount) == label {
                correct += 1
            }
        }
        return correct
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
