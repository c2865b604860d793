import ShrinkKernels
import ShrinkNN
import ShrinkTensor

extension ExecutionPlan {
    /// A Linear layer's packed weights.
    enum LinearKernel {
        case int8(Int8LinearWeights)
        case float16(Float16LinearWeights)
        case palette(PaletteLinearWeights)
        case sparse(SparseLinearWeights)
        case float32(Float32LinearWeights)
    }

    /// One layer's work on the plan's buffers.
    enum Step {
        case linear(LinearKernel, kernel: LayerKernel, outputCount: Int, inputCount: Int)
        case convolution(LinearKernel, kernel: LayerKernel, work: ConvolutionWork)
        case relu
        case identity
        case reference(any OperatorKernel, type: String, weightBytes: Int)

        var kernel: LayerKernel {
            switch self {
            case let .linear(_, kernel, _, _): kernel
            case let .convolution(_, kernel, _): kernel
            case .relu: .relu
            case .identity: .identity
            case let .reference(_, type, _): .reference(type.lowercased())
            }
        }

        /// Reads `batch` samples of `inputSize` at `input`, writes `batch` samples of `outputSize` to `output`.
        func execute(input: UnsafePointer<Float>, inputShape: [Int], inputSize: Int, batch: Int,
                     output: UnsafeMutablePointer<Float>, outputSize: Int, threads: Int) throws {
            switch self {
            case let .linear(weights, _, outputCount, inputCount):
                let work = weights.parallelWork(rows: batch, outputCount: outputCount, inputCount: inputCount)
                let threadCount = work >= ExecutionPlan.parallelWorkThreshold ? threads : 1
                try Self.applyLinear(weights, input: input, rows: batch, output: output,
                                     outputCount: outputCount, inputCount: inputCount, threadCount: threadCount)
            case let .convolution(weights, _, work):
                // [batch, in, h, w] → im2col [batch·pixels, in·k²] → [batch·pixels, out] → [batch, out, pixels]
                work.prepare(batch: batch)
                work.lower(input, batch: batch)
                let rows = batch * work.pixels
                let parallelWork = weights.parallelWork(rows: rows, outputCount: work.outputChannels, inputCount: work.depth)
                let threadCount = parallelWork >= ExecutionPlan.parallelWorkThreshold ? threads : 1
                try Self.applyLinear(weights, input: work.columns.baseAddress!, rows: rows, output: work.products.baseAddress!,
                                     outputCount: work.outputChannels, inputCount: work.depth, threadCount: threadCount)
                work.scatter(batch: batch, into: output)
            case .relu:
                // [batch, ...] element-wise
                for index in 0..<(batch * outputSize) { output[index] = max(0, input[index]) }
            case .identity:
                output.update(from: input, count: batch * outputSize)
            case let .reference(layer, _, _):
                let tensor = Tensor(shape: [batch] + inputShape,
                                    scalars: Array(UnsafeBufferPointer(start: input, count: batch * inputSize)))
                let result = layer.forward([tensor], mode: .inference)[0]
                result.withUnsafeBufferPointer { values in
                    output.update(from: values.baseAddress!, count: batch * outputSize)
                }
            }
        }

        private static func applyLinear(
            _ weights: LinearKernel, input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
            outputCount: Int, inputCount: Int, threadCount: Int
        ) throws {
            switch weights {
            case let .int8(packed):
                try packed.apply(input: input, rows: rows, output: output, granularity: .perRow, threadCount: threadCount)
            case let .float16(packed):
                packed.apply(input: input, rows: rows, output: output, threadCount: threadCount)
            case let .palette(packed):
                packed.apply(input: input, rows: rows, output: output, threadCount: threadCount)
            case let .sparse(packed):
                packed.apply(input: input, rows: rows, output: output, threadCount: threadCount)
            case let .float32(packed):
                // Row-dot GEMV for small batches, blocked GEMM for larger ones.
                packed.apply(input: input, rows: rows, output: output, threadCount: threadCount)
            }
        }
    }
}

extension ExecutionPlan.LinearKernel {
    /// The work of `rows` rows compared with `ExecutionPlan.parallelWorkThreshold`: the
    /// dense-equivalent multiply-accumulates, int8 ones counted at a quarter (VNNI does four per
    /// 32-bit lane; LeNet-300-100's int8 fc1 takes about 1.5 µs and ran 0.2 µs slower on two
    /// threads in 7 of 8 alternated runs, median 3.9 vs 3.7 µs per inference).
    func parallelWork(rows: Int, outputCount: Int, inputCount: Int) -> Int {
        let multiplyAccumulates = rows * outputCount * inputCount
        if case .int8 = self { return multiplyAccumulates / 4 }
        return multiplyAccumulates
    }
}
