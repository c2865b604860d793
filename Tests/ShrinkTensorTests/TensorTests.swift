import Testing
@testable import ShrinkTensor

@Suite struct TensorTests {
    @Test func indexingIsRowMajor() {
        var tensor = Tensor(zeros: [2, 3, 4])
        tensor[1, 2, 3] = 5
        #expect(tensor.scalars[1 * 12 + 2 * 4 + 3] == 5)
        #expect(tensor.count == 24 && tensor.rank == 3)
    }

    @Test func reshapeKeepsElements() {
        let tensor = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let reshaped = tensor.reshaped([3, 2])
        #expect(reshaped.shape == [3, 2])
        #expect(reshaped.scalars == tensor.scalars)
    }
}
