import ShrinkNN
import ShrinkTensor
import ShrinkTraining
import Testing
@testable import ShrinkCompression

@Suite struct SharedWeightConstraintTests {
    @Test func centroidGradientIsTheSumOfMemberGradients() {
        let shared = SharedWeights(
            parameterName: "fc.weight", palette: Palette(bits: 1, centroids: [0.5, -0.25], indices: [0, 1, 0, 0, 1]),
            reservesZero: false)
        let gradients = Tensor(shape: [5], scalars: [1, 2, 3, -0.5, 0.25])
        #expect(shared.centroidGradients(elementGradients: gradients) == [3.5, 2.25])

        let pruned = SharedWeights(
            parameterName: "fc.weight", palette: Palette(bits: 2, centroids: [0, 0.5, -0.25], indices: [1, 2, 0, 1, 2]),
            reservesZero: true)
        #expect(pruned.centroidGradients(elementGradients: gradients) == [0, 0.5, 2.25])
    }

    /// Two SGD-with-momentum steps through the constraint equal SGD with momentum on the
    /// centroids with summed gradients; indices stay, pruned stays 0, members equal centroids.
    @Test func sgdMomentumStepsMoveCentroidsBySummedGradients() {
        // Index 0 is the reserved zero (element 2 is pruned); centroids 1.0 (elements 0, 3) and -2.0 (1, 4).
        let indices: [UInt16] = [1, 2, 0, 1, 2]
        let palette = Palette(bits: 2, centroids: [0, 1, -2], indices: indices)
        let constraint = SharedWeightConstraint(sharedWeights: [
            SharedWeights(parameterName: "fc.weight", palette: palette, reservesZero: true),
        ])
        let parameter = Parameter(name: "fc.weight", value: Tensor(shape: [5], scalars: [1, -2, 0, 1, -2]))
        let other = Parameter(name: "fc.bias", value: Tensor(shape: [1], scalars: [3]))
        let optimizer = StochasticGradientDescent(momentum: 0.5)
        let learningRate: Float = 0.25

        constraint.apply(to: [parameter, other]) // before the first step: no change
        #expect(parameter.value.scalars == [1, -2, 0, 1, -2])

        parameter.gradient = Tensor(shape: [5], scalars: [1, 2, 5, 3, -1]) // sums: c1 4, c2 1
        optimizer.step(parameters: [parameter], learningRate: learningRate)
        constraint.apply(to: [parameter, other])
        // c1 = 1 − 0.25·4 = 0, c2 = −2 − 0.25·1 = −2.25
        var centroids = constraint.sharedWeights["fc.weight"]!.palette.centroids
        #expect(centroids == [0, 0, -2.25])
        #expect(parameter.value.scalars == [0, -2.25, 0, 0, -2.25])

        parameter.gradient = Tensor(shape: [5], scalars: [0.5, 1, -7, 0.5, 1]) // sums: c1 1, c2 2
        optimizer.step(parameters: [parameter], learningRate: learningRate)
        constraint.apply(to: [parameter, other])
        // Velocities: V1 = 0.5·4 + 1 = 3, V2 = 0.5·1 + 2 = 2.5 → c1 = −0.75, c2 = −2.875.
        centroids = constraint.sharedWeights["fc.weight"]!.palette.centroids
        #expect(centroids == [0, -0.75, -2.875])
        #expect(parameter.value.scalars == [-0.75, -2.875, 0, -0.75, -2.875])
        #expect(constraint.sharedWeights["fc.weight"]!.palette.indices == indices)
        #expect(other.value.scalars == [3])
    }
}

@Suite struct SharedWeightConstraintFromModelTests {
    @Test func rebuildsRecordedPalettes() throws {
        let network = ClusteringTestSupport.multilayerPerceptron(hidden: 2)
        let model = CompressedModel(network: network)
        model.parameterStates["fc1.weight"] = ParameterCompressionState(
            mask: Tensor(shape: [2, 4], scalars: [1, 1, 0, 1, 1, 1, 0, 1]),
            palette: Palette(bits: 2, centroids: [0, -1, 1], indices: [1, 1, 0, 2, 2, 2, 0, 1]))
        model.parameterStates["fc2.weight"] = ParameterCompressionState(
            palette: Palette(bits: 1, centroids: [0, 0.5], indices: [0, 1, 1, 0, 0, 1]))
        let constraint = SharedWeightConstraint(palettesOf: model)
        #expect(constraint.sharedWeights["fc1.weight"]?.reservesZero == true)
        #expect(constraint.sharedWeights["fc2.weight"]?.reservesZero == false)
        let fc2 = network.parameter(named: "fc2.weight")!
        network.parameter(named: "fc1.weight")!.value.scalars = [-1, -1, 0, 1, 1, 1, 0, -1]
        fc2.value.scalars = [0, 0.5, 0.5, 0, 0, 0.5]
        constraint.apply(to: network.parameters)
        #expect(fc2.value.scalars == [0, 0.5, 0.5, 0, 0, 0.5])
        // A step that moved two members of centroid 1 by +0.25 and −0.5 moves it by −0.25.
        fc2.value.scalars = [0, 0.75, 0, 0, 0, 0.5]
        constraint.apply(to: network.parameters)
        #expect(fc2.value.scalars == [0, 0.25, 0.25, 0, 0, 0.25])
        #expect(network.parameter(named: "fc1.weight")!.value.scalars == [-1, -1, 0, 1, 1, 1, 0, -1])
    }
}
