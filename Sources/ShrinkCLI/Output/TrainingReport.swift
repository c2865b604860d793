import ShrinkTraining

/// The JSON `shrink train --json` prints: stable snake_case field names.
struct TrainingReport: Encodable {
    var model: String
    var output: String
    var configuration: TrainingConfiguration
    var history: TrainingHistory

    enum CodingKeys: String, CodingKey {
        case model, output, configuration, epochs
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(output, forKey: .output)
        try container.encode(configuration, forKey: .configuration)
        try container.encode(history.epochs.map(EpochRecord.init), forKey: .epochs)
    }

    struct EpochRecord: Encodable {
        var epoch: Int
        var train_loss: Double
        var train_accuracy: Double
        var test_top1_accuracy: Double?
        var test_top5_accuracy: Double?
        var test_loss: Double?
        var learning_rate: Float
        var train_seconds: Double
        var eval_seconds: Double

        init(_ summary: EpochSummary) {
            epoch = summary.epoch
            train_loss = summary.trainingLoss
            train_accuracy = summary.trainingAccuracy
            test_top1_accuracy = summary.validationTop1Accuracy
            test_top5_accuracy = summary.validationTop5Accuracy
            test_loss = summary.validationLoss
            learning_rate = summary.learningRate
            train_seconds = summary.trainingSeconds
            eval_seconds = summary.evaluationSeconds
        }
    }
}
