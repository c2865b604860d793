import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkTraining

/// Three steps from w = [0.5, −1, 2] with fixed gradients and learning rates 0.1, 0.05, 0.1.
/// Expected values come from torch 2.13 (`torch.optim.SGD/Adam/AdamW`, float32); the first SGD
/// rows are also easy to check by hand, e.g. momentum 0.9, decay 0.01, step 1:
/// d = g + 0.01·w = [0.105, −0.21, 0.32], w − 0.1·d = [0.4895, −0.979, 1.968].
@Suite("Optimizers")
struct OptimizerTests {
    static let gradients: [[Float]] = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.6], [0.7, 0.8, -0.9]]
    static let learningRates: [Float] = [0.1, 0.05, 0.1]

    private func run(_ optimizer: any Optimizer) -> [[Float]] {
        let parameter = Parameter(name: "w", value: Tensor(shape: [3], scalars: [0.5, -1, 2]))
        var trajectory = [[Float]]()
        for (gradient, learningRate) in zip(Self.gradients, Self.learningRates) {
            parameter.gradient = Tensor(shape: [3], scalars: gradient)
            optimizer.step(parameters: [parameter], learningRate: learningRate)
            trajectory.append(parameter.value.scalars)
        }
        return trajectory
    }

    private func expectClose(_ actual: [[Float]], _ expected: [[Float]], tolerance: Float = 2e-6) {
        for (actualRow, expectedRow) in zip(actual, expected) {
            for (a, e) in zip(actualRow, expectedRow) {
                #expect(abs(a - e) <= tolerance, "got \(actualRow), expected \(expectedRow)")
            }
        }
    }

    @Test func plainSGD() {
        expectClose(run(StochasticGradientDescent()), [
            [0.49, -0.98, 1.97], [0.51, -1.005, 1.94], [0.44, -1.085, 2.03],
        ])
    }

    @Test func sgdWithMomentumAndWeightDecay() {
        expectClose(run(StochasticGradientDescent(momentum: 0.9, weightDecay: 0.01)), [
            [0.4894999861717224, -0.9789999723434448, 1.968000054359436],
            [0.5045302510261536, -0.9940604567527771, 1.9226160049438477],
            [0.4610801637172699, -1.1001752614974976, 1.9290021657943726],
        ])
    }

    @Test func sgdWithNesterovMomentum() {
        expectClose(run(StochasticGradientDescent(momentum: 0.9, weightDecay: 0.01, nesterov: true)), [
            [0.4800499975681305, -0.960099995136261, 1.9392000436782837],
            [0.5133414268493652, -0.9981828927993774, 1.8673977851867676],
            [0.40372276306152344, -1.1726996898651123, 1.9613510370254517],
        ])
    }

    @Test func adam() {
        expectClose(run(Adam()), [
            [0.4000000059604645, -0.8999999761581421, 1.899999976158142],
            [0.4279751777648926, -0.9221107363700867, 1.851740837097168],
            [0.39486637711524963, -0.9941946864128113, 1.8584007024765015],
        ])
    }

    @Test func adamWithL2WeightDecay() {
        expectClose(run(Adam(beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1)), [
            [0.400000661611557, -0.9000003337860107, 1.9000002145767212],
            [0.42413249611854553, -0.9131355285644531, 1.8500529527664185],
            [0.37771737575531006, -0.9817129969596863, 1.8357723951339722],
        ])
    }

    @Test func adamWithDecoupledWeightDecay() {
        expectClose(run(Adam(weightDecay: 0.1, decoupledWeightDecay: true)), [
            [0.39500001072883606, -0.8899999856948853, 1.8799999952316284],
            [0.4210001826286316, -0.907660722732544, 1.8223408460617065],
            [0.38368138670921326, -0.9706680774688721, 1.8107773065567017],
        ])
    }

    @Test("buffers are never updated", arguments: [
        OptimizerConfiguration.sgd(momentum: 0.9, weightDecay: 0.1, nesterov: false),
        .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1),
        .adamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1),
    ])
    func buffersUntouched(configuration: OptimizerConfiguration) {
        let buffer = Parameter(name: "bn.running_mean", value: Tensor(shape: [2], scalars: [1, 2]), kind: .buffer)
        buffer.gradient = Tensor(shape: [2], scalars: [5, 5])
        let weight = Parameter(name: "fc.weight", value: Tensor(shape: [2], scalars: [1, 2]))
        weight.gradient = Tensor(shape: [2], scalars: [5, 5])
        let optimizer = configuration.makeOptimizer()
        optimizer.step(parameters: [buffer, weight], learningRate: 0.1)
        #expect(buffer.value.scalars == [1, 2])
        #expect(weight.value.scalars != [1, 2])
    }

    @Test("reset forgets momentum: the next step behaves like a first step")
    func resetForgetsState() {
        let optimizer = StochasticGradientDescent(momentum: 0.9)
        let parameter = Parameter(name: "w", value: Tensor(shape: [1], scalars: [0]))
        parameter.gradient = Tensor(shape: [1], scalars: [1])
        optimizer.step(parameters: [parameter], learningRate: 1) // v = 1, w = −1
        optimizer.reset()
        optimizer.step(parameters: [parameter], learningRate: 1) // fresh: v = 1, w = −2 (not −2.9)
        #expect(parameter.value.scalars == [-2])
    }

    @Test("a mask constraint keeps pruned weights exactly zero under momentum and decay")
    func maskConstraint() {
        let parameter = Parameter(name: "fc.weight", value: Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
        let constraint = MaskConstraint(masks: ["fc.weight": Tensor(shape: [2, 2], scalars: [1, 0, 0, 1])])
        let optimizer = StochasticGradientDescent(momentum: 0.9, weightDecay: 0.01)
        constraint.apply(to: [parameter])
        for _ in 0..<3 {
            parameter.gradient = Tensor(shape: [2, 2], scalars: [0.5, -0.5, 0.25, 1])
            optimizer.step(parameters: [parameter], learningRate: 0.1)
            constraint.apply(to: [parameter])
            #expect(parameter.value.scalars[1] == 0 && parameter.value.scalars[2] == 0)
            #expect(parameter.value.scalars[0] != 0 && parameter.value.scalars[3] != 0)
        }
    }
}
