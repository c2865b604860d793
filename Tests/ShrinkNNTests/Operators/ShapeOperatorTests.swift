import ShrinkTensor
import Testing
@testable import ShrinkNN

private typealias Support = ElementwiseOperatorTestSupport

/// Concat, Reshape, Transpose and MatMul: values, shape inference, errors and gradient checks.
@Suite struct ShapeOperatorTests {
    // MARK: Concat

    @Test func concatJoinsAlongChannelsAndInnerAxes() throws {
        let left = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4])
        let right = Tensor(shape: [2, 2, 2], scalars: [10, 20, 30, 40, 50, 60, 70, 80])
        #expect(try Support.run(ConcatenationOperator(), [left, right])
                == Tensor(shape: [2, 3, 2], scalars: [1, 2, 10, 20, 30, 40, 3, 4, 50, 60, 70, 80]))
        let narrow = Tensor(shape: [1, 2, 1], scalars: [1, 2])
        let wide = Tensor(shape: [1, 2, 2], scalars: [3, 4, 5, 6])
        #expect(try Support.run(ConcatenationOperator(axis: -1), [narrow, wide])
                == Tensor(shape: [1, 2, 3], scalars: [1, 3, 4, 2, 5, 6]))
        #expect(try Support.run(ConcatenationOperator(), [left]) == left)
    }

    @Test func concatShapesAndErrors() throws {
        #expect(try Support.outputShape(ConcatenationOperator(), [Support.batched(2, 4, 4), Support.batched(3, 4, 4),
                                                                  Support.batched(1, 4, 4)])
                == Support.batched(6, 4, 4))
        #expect(try Support.outputShape(ConcatenationOperator(axis: -1), [Support.batched(2, 4), Support.batched(2, 3)])
                == Support.batched(2, 7))
        let mismatch = #expect(throws: OperatorError.self) {
            try Support.outputShape(ConcatenationOperator(), [Support.batched(2, 4, 4), Support.batched(3, 4, 5)])
        }
        #expect(mismatch?.message == "input 1 differs from input 0 on axis 3 (5 vs 4)")
        let rank = #expect(throws: OperatorError.self) {
            try Support.outputShape(ConcatenationOperator(), [Support.batched(2, 4), Support.batched(3)])
        }
        #expect(rank?.message == "input 1 has rank 2, input 0 rank 3")
        let range = #expect(throws: OperatorError.self) {
            try Support.outputShape(ConcatenationOperator(axis: 3), [Support.batched(2, 4), Support.batched(2, 4)])
        }
        #expect(range?.message == "axis 3 is out of range for rank 3")
        let batch = #expect(throws: OperatorError.self) {
            try ConcatenationOperator(attributes: ["axis": .int(0)])
        }
        #expect(batch?.message == "axis 0 is the batch axis; concatenate along axis 1 or later")
        #expect(throws: OperatorError.self) {
            try Support.outputShape(ConcatenationOperator(axis: -3), [Support.batched(2, 4), Support.batched(2, 4)])
        }
    }

    /// Along channels the coupling is `.concatenation` and the op survives channel pruning
    /// unchanged (its output size follows the inputs); along other axes it is opaque.
    @Test func concatCouplingAndResizing() throws {
        let channels = ConcatenationOperator()
        #expect(channels.channelCoupling == .concatenation)
        #expect(channels.resizingChannels(input: 3, output: 5)?.attributes == channels.attributes)
        #expect(try Support.outputShape(channels, [Support.batched(1, 4), Support.batched(2, 4)]) == Support.batched(3, 4))
        let inner = ConcatenationOperator(axis: 2)
        #expect(inner.channelCoupling == .opaque)
        #expect(inner.resizingChannels(input: 3, output: 3) == nil)
        #expect(ConcatenationOperator(axis: -2).channelCoupling == .opaque)
        #expect(channels.operationCount(inputShapes: [[1, 2], [1, 3]], outputShapes: [[1, 5]]) == .zero)
    }

    @Test func concatGradients() throws {
        try GraphGradientChecking.check(ConcatenationOperator(), inputShapes: [[2, 1, 3], [2, 2, 3], [2, 3, 3]])
        try GraphGradientChecking.check(ConcatenationOperator(axis: -1), inputShapes: [[2, 2, 1], [2, 2, 3]])
        try GraphGradientChecking.check(ConcatenationOperator(axis: 2), inputShapes: [[2, 2, 2, 2], [2, 2, 1, 2]])
    }

    // MARK: Reshape

    @Test func reshapeKeepsTheBatchAndInfersOneSize() throws {
        let input = Tensor(shape: [2, 6], scalars: (0..<12).map(Float.init))
        #expect(try Support.run(ReshapeOperator(shape: [3, -1]), [input]) == input.reshaped([2, 3, 2]))
        #expect(try Support.outputShape(ReshapeOperator(shape: [3, -1]), [Support.batched(6)]) == Support.batched(3, 2))
        #expect(try Support.outputShape(ReshapeOperator(shape: [0, -1]), [Support.batched(2, 3, 4)]) == Support.batched(2, 12))
        #expect(try Support.outputShape(ReshapeOperator(shape: [-1]), [Support.batched(2, 3, 4)]) == Support.batched(24))
        #expect(try Support.outputShape(ReshapeOperator(shape: []), [Support.batched(1, 1)]) == ValueShape([.batch]))
        #expect(try Support.outputShape(ReshapeOperator(shape: [2, 2]), [ValueShape([.fixed(5), .fixed(4)])])
                == ValueShape([.fixed(5), .fixed(2), .fixed(2)]))
    }

    @Test func reshapeRejectsBadShapes() {
        let twoInferred = #expect(throws: OperatorError.self) { try ReshapeOperator(attributes: ["shape": .ints([-1, 2, -1])]) }
        #expect(twoInferred?.message == "shape [-1, 2, -1] has more than one -1")
        let negative = #expect(throws: OperatorError.self) { try ReshapeOperator(attributes: ["shape": .ints([-2, 3])]) }
        #expect(negative?.message == "shape [-2, 3] has a size below -1")
        #expect(throws: OperatorError.self) { try ReshapeOperator(attributes: [:]).attributes }
        let count = #expect(throws: OperatorError.self) {
            try Support.outputShape(ReshapeOperator(shape: [5]), [Support.batched(2, 3)])
        }
        #expect(count?.message == "shape [5] holds 5 elements per sample, the input [2, 3] has 6")
        let indivisible = #expect(throws: OperatorError.self) {
            try Support.outputShape(ReshapeOperator(shape: [4, -1]), [Support.batched(6)])
        }
        #expect(indivisible?.message == "cannot infer the -1 in [4, -1]: 6 elements per sample are not a multiple of 4")
        let copied = #expect(throws: OperatorError.self) {
            try Support.outputShape(ReshapeOperator(shape: [6, 0]), [Support.batched(6)])
        }
        #expect(copied?.message == "shape [6, 0] copies size 1 (0) but the sample [6] has rank 1")
        #expect(throws: OperatorError.self) {
            try Support.outputShape(ReshapeOperator(shape: [-1]), [ValueShape([.batch, .symbol("time")])])
        }
    }

    @Test func reshapeGradients() throws {
        try GraphGradientChecking.check(ReshapeOperator(shape: [3, -1]), inputShapes: [[2, 6]])
        try GraphGradientChecking.check(ReshapeOperator(shape: [0, -1]), inputShapes: [[2, 2, 3, 2]])
    }

    // MARK: Transpose

    @Test func transposePermutesAxes() throws {
        let input = Tensor(shape: [1, 2, 3], scalars: [0, 1, 2, 3, 4, 5])
        #expect(try Support.run(TransposeOperator(permutation: [0, 2, 1]), [input])
                == Tensor(shape: [1, 3, 2], scalars: [0, 3, 1, 4, 2, 5]))
        // NCHW → NHWC.
        let image = Tensor(shape: [1, 2, 2, 2], scalars: (0..<8).map(Float.init))
        #expect(try Support.run(TransposeOperator(permutation: [0, 2, 3, 1]), [image])
                == Tensor(shape: [1, 2, 2, 2], scalars: [0, 4, 1, 5, 2, 6, 3, 7]))
        #expect(try Support.run(TransposeOperator(permutation: [0, 1, 2]), [input]) == input)
        #expect(try Support.outputShape(TransposeOperator(permutation: [0, 3, 1, 2]), [Support.batched(2, 3, 4)])
                == Support.batched(4, 2, 3))
    }

    @Test func transposeMustKeepTheBatchFirst() {
        let moved = #expect(throws: OperatorError.self) { try TransposeOperator(attributes: ["permutation": .ints([1, 0, 2])]) }
        #expect(moved?.message == "permutation [1, 0, 2] moves the batch axis; it must start with 0")
        let repeated = #expect(throws: OperatorError.self) { try TransposeOperator(attributes: ["permutation": .ints([0, 1, 1])]) }
        #expect(repeated?.message == "permutation [0, 1, 1] is not a permutation of 0..<3")
        #expect(throws: OperatorError.self) { try TransposeOperator(attributes: ["permutation": .ints([])]) }
        let rank = #expect(throws: OperatorError.self) {
            try Support.outputShape(TransposeOperator(permutation: [0, 2, 1]), [Support.batched(2, 3, 4)])
        }
        #expect(rank?.message == "permutation [0, 2, 1] has 3 axes, the input 4")
    }

    @Test func transposeGradients() throws {
        try GraphGradientChecking.check(TransposeOperator(permutation: [0, 2, 1]), inputShapes: [[2, 3, 4]])
        try GraphGradientChecking.check(TransposeOperator(permutation: [0, 2, 3, 1]), inputShapes: [[2, 3, 2, 4]])
    }

    // MARK: MatMul

    @Test func matMulMultipliesEachSlice() throws {
        let left = Tensor(shape: [2, 2, 3], scalars: [1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0])
        let right = Tensor(shape: [2, 3, 2], scalars: [7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6])
        // Slice 0: [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]]; slice 1 picks rows 0 and 1 of its right.
        #expect(try Support.run(MatrixMultiplicationOperator(), [left, right])
                == Tensor(shape: [2, 2, 2], scalars: [58, 64, 139, 154, 1, 2, 3, 4]))
    }

    @Test func matMulShapesAndErrors() throws {
        #expect(try Support.outputShape(MatrixMultiplicationOperator(), [Support.batched(4, 2, 3), Support.batched(4, 3, 5)])
                == Support.batched(4, 2, 5))
        let inner = #expect(throws: OperatorError.self) {
            try Support.outputShape(MatrixMultiplicationOperator(), [Support.batched(2, 3), Support.batched(4, 5)])
        }
        #expect(inner?.message == "inner sizes differ: K = 3 on the left, 4 on the right")
        let leading = #expect(throws: OperatorError.self) {
            try Support.outputShape(MatrixMultiplicationOperator(), [Support.batched(4, 2, 3), Support.batched(1, 3, 5)])
        }
        #expect(leading?.message == "leading sizes differ: [batch, 4, 2, 3] vs [batch, 1, 3, 5] (no broadcasting)")
        #expect(throws: OperatorError.self) {
            try Support.outputShape(MatrixMultiplicationOperator(), [Support.batched(3), Support.batched(3)])
        }
        #expect(MatrixMultiplicationOperator().operationCount(inputShapes: [[2, 4, 2, 3], [2, 4, 3, 5]], outputShapes: [[2, 4, 2, 5]])
                == OperationCount(multiplyAccumulates: 2 * 4 * 2 * 5 * 3))
        #expect(MatrixMultiplicationOperator().channelCoupling == .opaque)
    }

    @Test func matMulGradients() throws {
        try GraphGradientChecking.check(MatrixMultiplicationOperator(), inputShapes: [[2, 2, 3], [2, 3, 4]])
        try GraphGradientChecking.check(MatrixMultiplicationOperator(), inputShapes: [[2, 2, 2, 3], [2, 2, 3, 2]])
    }

    @Test func shapeOpsAreOpaqueAndCountNothing() {
        for op: any Operator in [ReshapeOperator(shape: [-1]), TransposeOperator(permutation: [0, 2, 1])] {
            #expect(op.channelCoupling == .opaque)
            #expect(op.resizingChannels(input: 2, output: 2) == nil)
            #expect(op.operationCount(inputShapes: [[2, 3, 4]], outputShapes: [[2, 12]]) == .zero)
        }
    }
}
