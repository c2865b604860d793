import ShrinkNN
import ShrinkTensor
import ShrinkTraining
import Testing
@testable import ShrinkCompression

/// `CompressionContext.constraints(for:)` keeps masks and palettes together.
@Suite struct ContextConstraintTests {
    /// `fc1.weight` is `[8, 4]`; prunes its first 8 elements, shares the rest as two values.
    private func prunedAndClustered() throws -> (CompressedModel, Parameter) {
        let network = ClusteringTestSupport.multilayerPerceptron(hidden: 8, seed: 2)
        let model = CompressedModel(network: network)
        let weight = try #require(network.parameter(named: "fc1.weight"))
        let count = weight.value.count
        let mask = Tensor(shape: weight.value.shape, scalars: (0..<count).map { $0 < 8 ? 0 : 1 })
        let indices = (0..<count).map { UInt16($0 < 8 ? 0 : ($0 % 2 == 0 ? 1 : 2)) }
        let palette = Palette(bits: 2, centroids: [0, -0.5, 0.25], indices: indices)
        weight.value = Tensor(shape: weight.value.shape, scalars: indices.map { palette.centroids[Int($0)] })
        model.parameterStates["fc1.weight"] = ParameterCompressionState(mask: mask, palette: palette)
        return (model, weight)
    }

    @Test func masksThenSharedWeightsAndPalettesFollowTheCentroids() throws {
        let (model, weight) = try prunedAndClustered()
        let context = ClusteringTestSupport.context()
        let constraints = context.constraints(for: model)
        #expect(constraints.count == 2)
        #expect(constraints.first is MaskConstraint)

        // An optimizer step moved every element by +0.01 (pruned ones too).
        weight.value = Tensor(shape: weight.value.shape, scalars: weight.value.scalars.map { $0 + 0.01 })
        for constraint in constraints { constraint.apply(to: [weight]) }

        let palette = try #require(model.state(of: "fc1.weight").palette)
        // 12 members each moved by 0.01: eq. 3 moves each centroid by the sum, 0.12.
        #expect(palette.centroids[0] == 0)
        #expect(abs(palette.centroids[1] - (-0.38)) < 1e-5)
        #expect(abs(palette.centroids[2] - 0.37) < 1e-5)
        for (element, value) in weight.value.scalars.enumerated() {
            #expect(value == palette.centroids[Int(palette.indices[element])])
            if element < 8 { #expect(value == 0) }
        }
    }

    @Test func aPaletteThatNoLongerFitsItsMaskIsLeftToTheMask() throws {
        let (model, _) = try prunedAndClustered()
        // Pruned again after clustering: element 8 (index 1) is now masked too.
        var state = model.state(of: "fc1.weight")
        var maskValues = state.mask!.scalars
        maskValues[8] = 0
        state.mask = Tensor(shape: state.mask!.shape, scalars: maskValues)
        model.parameterStates["fc1.weight"] = state
        let constraints = ClusteringTestSupport.context().constraints(for: model)
        #expect(constraints.count == 1)
        #expect(constraints.first is MaskConstraint)
    }

    @Test func noPalettesNoSharedWeightConstraint() {
        let model = CompressedModel(network: ClusteringTestSupport.multilayerPerceptron())
        #expect(ClusteringTestSupport.context().constraints(for: model).isEmpty)
    }
}
