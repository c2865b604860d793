import Foundation
import Testing
@testable import ShrinkTraining

@Suite("Learning-rate schedules")
struct LearningRateScheduleTests {
    @Test func constant() {
        for step in [0, 5, 99] {
            #expect(LearningRateSchedule.constant.learningRate(base: 0.1, step: step, totalSteps: 100, stepsPerEpoch: 10) == 0.1)
        }
    }

    @Test("step decay halves every 2 epochs of 10 steps (torch StepLR: 0.1, 0.1, 0.05, 0.05, 0.025)")
    func stepDecay() {
        let schedule = LearningRateSchedule.step(stepSize: 2, gamma: 0.5)
        let rates = [0, 19, 20, 39, 40, 59].map {
            schedule.learningRate(base: 0.1, step: $0, totalSteps: 60, stepsPerEpoch: 10)
        }
        let expected: [Float] = [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
        for (rate, wanted) in zip(rates, expected) { #expect(abs(rate - wanted) < 1e-8) }
    }

    @Test("cosine over 10 steps matches torch CosineAnnealingLR(T_max: 10, eta_min: 0.001)")
    func cosine() {
        let torchValues: [Float] = [
            0.1, 0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599, 0.0505,
            0.03520365877844011, 0.02140463001152259, 0.010453658778440109, 0.0034227024433899004, 0.001,
        ]
        let schedule = LearningRateSchedule.cosine(minimum: 0.001)
        for (step, wanted) in torchValues.enumerated() {
            let rate = schedule.learningRate(base: 0.1, step: step, totalSteps: 10, stepsPerEpoch: 5)
            #expect(abs(rate - wanted) < 1e-7, "step \(step): \(rate) vs \(wanted)")
        }
    }

    @Test("linear warm-up, then cosine over the remaining steps")
    func warmupThenCosine() {
        let schedule = LearningRateSchedule.warmup(steps: 4, then: .cosine(minimum: 0))
        let rate = { (step: Int) in schedule.learningRate(base: 0.1, step: step, totalSteps: 12, stepsPerEpoch: 3) }
        let expected: [(Int, Float)] = [(0, 0.025), (1, 0.05), (2, 0.075), (3, 0.1), (4, 0.1), (8, 0.05), (12, 0)]
        for (step, wanted) in expected { #expect(abs(rate(step) - wanted) < 1e-7, "step \(step)") }
        // Between warm-up and end: cos(π·2/8) → 0.1·(1 + √½)/2
        #expect(abs(rate(6) - Float(0.1 * (1 + 0.5.squareRoot()) / 2)) < 1e-7)
    }

    @Test("schedules and configurations survive a JSON round trip")
    func codable() throws {
        let configuration = TrainingConfiguration(
            epochs: 3, batchSize: 64, optimizer: .adamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01),
            baseLearningRate: 0.001, schedule: .warmup(steps: 100, then: .step(stepSize: 2, gamma: 0.1)), seed: 42)
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: data) == configuration)
    }

    @Test("invalid settings are rejected with a typed error")
    func validation() {
        var configuration = TrainingConfiguration(
            epochs: 1, batchSize: 0, optimizer: .sgd(momentum: 0, weightDecay: 0, nesterov: false),
            baseLearningRate: 0.1, seed: 1)
        #expect(throws: TrainingError.invalidSetting(name: "batchSize", value: "0")) { try configuration.validate() }
        configuration.batchSize = 8
        configuration.schedule = .warmup(steps: 2, then: .step(stepSize: 0, gamma: 0.5))
        #expect(throws: TrainingError.invalidSetting(name: "schedule.stepSize", value: "0")) { try configuration.validate() }
        configuration.schedule = .constant
        configuration.optimizer = .sgd(momentum: 0, weightDecay: 0, nesterov: true)
        #expect(throws: TrainingError.self) { try configuration.validate() }
        configuration.optimizer = .adam(beta1: 1, beta2: 0.999, epsilon: 1e-8, weightDecay: 0)
        #expect(throws: TrainingError.invalidSetting(name: "beta1", value: "1.0")) { try configuration.validate() }
    }
}
