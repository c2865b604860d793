import ShrinkFormats
import ShrinkKernels
import ShrinkNN
@testable import ShrinkRuntime
import ShrinkTensor
import Testing

/// A plan allowed two threads splits LeNet-300-100's fc1 (235,200 multiply-accumulates per
/// sample) across them; the kernels split output channels, so the outputs must be bit-identical
/// to the one-thread plan's.
@Suite("ExecutionPlan threads")
struct ExecutionPlanThreadingTests {
    static let encodings: [HandEncoding] = [
        .float32, .float16, .int8, .palette(bits: 4), .palette(bits: 10), .sparsePalette(keep: 0.1, bits: 5), .sparseFloat(keep: 0.1),
        .affine(bits: 4, isSigned: true, perTensor: false), .affine(bits: 2, isSigned: false, perTensor: false),
    ]

    @Test("LeNet-300-100: two threads give the one-thread output bit for bit", arguments: 0..<encodings.count)
    func twoThreadsEqualOne(encodingIndex: Int) throws {
        let graph = try ModelZoo.graph(named: "lenet-300-100")
        // fc1 is large enough to be split, so this compares a split run with an unsplit one.
        #expect(784 * 300 >= ExecutionPlan.parallelWorkThreshold)
        let file = try HandCompression.file(graph, encoding: Self.encodings[encodingIndex], seed: 5)
        let single = try ExecutionPlan(file: file, threads: 1)
        let double = try ExecutionPlan(file: file, threads: 2)
        for batch in [1, 2, 5] {
            let input = ExecutionPlanTests.input(batch: batch, shape: graph.inputs[0].shape.sampleShape!, seed: UInt64(10 + batch))
            let expected = try single.run(input)
            let output = try double.run(input)
            #expect(output.shape == expected.shape)
            #expect(output.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern),
                    "\(Self.encodings[encodingIndex]) batch \(batch)")
        }
    }
}
