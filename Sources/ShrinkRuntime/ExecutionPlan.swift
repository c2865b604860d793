import ShrinkEncodings
import ShrinkFormats
import ShrinkKernels
import ShrinkNN
import ShrinkTensor

/// A model file compiled for inference: every `Linear` layer runs the kernel that reads its
/// weights' stored encoding directly (packed once, here); a convolution whose weight is stored
/// compressed is lowered with im2col onto the same matrix kernel of its encoding (`.convolution`);
/// every other layer (and fp32 convolutions) runs ShrinkNN's inference forward pass.
///
/// Kernel choice per `Linear` weight (`StoredTensor.encoding`):
/// - affine 8-bit signed, zero points 0, one scale per output channel (or per tensor) → `.int8`
///   (activations quantized to u8 per row at run time);
/// - fp16 → `.float16`; dense palette with ≤ 8-bit indices → `.palette(bits:)`;
/// - sparse layout → `.sparse` (palettized values when the tensor is a palette of ≤ 256
///   centroids, else fp32 values from the decoded tensor); fp32-valued sparse weights denser
///   than `denseFallbackDensity` run `.float32` instead (dense is faster there, see below);
/// - anything else (plain fp32, other affine codes) → `.float32` on the decoded values
///   (`Float32LinearWeights`: row-dot GEMV up to 4 rows, blocked GEMM beyond).
///
/// The plan keeps one output buffer per layer, sized for the largest batch size run, so
/// repeated runs allocate only the returned tensor. Not thread-safe: one plan per thread.
public final class ExecutionPlan {
    /// The chosen kernel per layer, in execution order.
    public let layers: [PlannedLayer]
    /// The per-sample input shape.
    public let inputShape: [Int]
    /// The most threads a large layer may use.
    public let threads: Int

    /// The density above which fp32-valued sparse weights run the dense fp32 kernel: a CSR
    /// non-zero costs about 0.3 ns at batch 1 on Zen 4 against about 0.045 ns per dense weight
    /// (LeNet-300-100: 25 % dense CSR 21.8 µs, dense 11.7 µs), while at batch 64 CSR still wins
    /// at 25 % (233 vs 391 µs) and ties at 50 %. Above 30 % CSR is never the faster one, so the
    /// pruned file keeps its smaller size on disk and runs as fast as the dense model.
    public static let denseFallbackDensity = 0.3

    let steps: [Step]
    private let sampleSizes: [Int] // per-sample element count of each step's output
    private(set) var buffers: [UnsafeMutableBufferPointer<Float>] = []
    private var bufferedBatch = 0
    /// The allocated activation buffers, sized for `capacityBatch` samples; `buffers` are their
    /// starts for the current batch.
    private var storage: [UnsafeMutableBufferPointer<Float>] = []
    private var capacityBatch = 0
    /// Bytes of `storage`.
    var allocatedActivationBytes: Int { storage.reduce(0) { $0 + 4 * $1.count } }

    /// Multiply-accumulates per call (batch · outputs · inputs, dense-equivalent) below which a
    /// layer runs on one thread even when the plan may use more.
    ///
    /// 2^17 = 131,072, measured on the 2-core Zen 4 VM with `shrink-benchmarks parallel-overhead`
    /// and `runtime --threads 1/2` (release, medians): the worker pool hands a chunk to a spinning
    /// worker in about 0.1 µs (empty 2-chunk call) to 0.4 µs (2 × 2.9 µs of work: 3.2 µs against
    /// 5.7 µs on one thread); Dispatch took 10–12 µs there. LeNet-300-100's fc1 (235,200 MACs)
    /// therefore splits: batch 1, threads 2 vs 1 (medians of 8 alternated runs, µs), fp32 8.0
    /// vs 12.7 (each core's L2 holds half of the 0.94 MB of weights), fp16 5.9 vs 7.4, 4-bit
    /// palette 6.9 vs 9.5, sparse 8 % palette 7.8 vs 8.6, sparse 8 % fp32 7.7 vs 8.0 (the sparse
    /// gains are within this VM's run-to-run noise). int8 layers count a quarter of their MACs
    /// (`LinearKernel.parallelWork`), so int8 fc1 stays on one thread: split, it was 3.9 vs 3.7.
    /// fc2 (30,000 MACs) does not split: with threshold 2^14 it did, and int8 and sparse got
    /// 0.5 µs slower. A worker idle for over 10 ms has blocked and costs 18–25 µs to wake
    /// (inside pthread_cond_broadcast on this VM), so the first call after a long idle loses.
    static let parallelWorkThreshold = 1 << 17

    /// Builds the reference layers with `Sequential(file:)` and packs each Linear layer's weights.
    public init(file: ModelFile, threads: Int = 1) throws {
        let model = try GraphNetwork(file: file)
        let graph = model.graph
        self.threads = max(1, threads)
        inputShape = model.sampleInputShape
        var steps = [Step](), planned = [PlannedLayer](), sizes = [Int]()
        var generator = SeededRandomNumberGenerator(seed: 0)
        for (index, node) in graph.nodes.enumerated() {
            let op = model.resolved.operators[index]
            let parameters = model.parameters(ofNode: index)
            let layerInputShape = model.resolved.shapes[node.inputs[0]]!.sampleShape!
            let shape = model.resolved.shapes[node.outputs[0]]!.sampleShape!
            let reference = Step.reference(op.makeKernel(name: node.name, weights: parameters, generator: &generator),
                                           type: node.operatorType,
                                           weightBytes: parameters.reduce(0) { $0 + 4 * $1.value.count })
            let step: Step
            switch op {
            case let linear as LinearOperator:
                step = try Self.linearStep(Linear(name: node.name, weight: parameters[0], bias: linear.hasBias ? parameters[1] : nil),
                                           file: file)
            case let convolution as Convolution2DOperator:
                let layer = Convolution2D(name: node.name, weight: parameters[0], bias: convolution.hasBias ? parameters[1] : nil,
                                          stride: convolution.window.strides[0], padding: convolution.window.pads[0])
                step = try Self.convolutionStep(layer, inputShape: layerInputShape, file: file) ?? reference
            case is ReLUOperator: step = .relu
            case is FlattenOperator, is DropoutOperator: step = .identity
            default: step = reference
            }
            steps.append(step)
            planned.append(PlannedLayer(name: node.name, kernel: step.kernel, outputShape: shape))
            sizes.append(shape.reduce(1, *))
        }
        self.steps = steps
        layers = planned
        sampleSizes = sizes
    }

    deinit { releaseBuffers() }

    /// The per-sample output shape (the last layer's).
    public var outputShape: [Int] { layers.last?.outputShape ?? inputShape }

    /// The logits for `input` ([batch] + inputShape) as [batch] + outputShape, e.g. [batch, classes].
    /// Allocates only the returned tensor once the buffers are sized for this batch.
    public func run(_ input: Tensor) throws -> Tensor {
        guard input.rank == inputShape.count + 1,
              zip(input.shape.dropFirst(), inputShape).allSatisfy({ $0 == $1 }) else {
            throw ExecutionPlanError.inputShape(expectedSample: inputShape, got: input.shape)
        }
        let batch = input.shape[0]
        let outputSize = outputShape.reduce(1, *)
        var scalars = [Float](repeating: 0, count: batch * outputSize)
        try input.withUnsafeBufferPointer { source in
            try scalars.withUnsafeMutableBufferPointer { target in
                try run(input: source, batch: batch, output: target)
            }
        }
        return Tensor(shape: [batch] + outputShape, scalars: scalars)
    }

    /// Runs `batch` samples from `input` ([batch] + inputShape, row-major) into `output`
    /// ([batch] + outputShape): no allocation once the buffers are sized for this batch
    /// (apart from what reference layers and multi-threaded int8 layers allocate).
    public func run(input: UnsafeBufferPointer<Float>, batch: Int, output: UnsafeMutableBufferPointer<Float>) throws {
        var profile: OperatorProfile? = nil
        try run(input: input, batch: batch, output: output, profile: &profile)
    }

    /// Like `run(input:batch:output:)`, adding each step's wall-clock time to `profile` under its
    /// kernel's `operatorKind` when `profile` is not nil (two clock reads per step; pass nil for
    /// unprofiled runs). Int8 layers then run in three timed stages: `quantize`, `linear-int8`
    /// (the int32 products only) and `dequantize` (same results as the fused unprofiled kernel).
    public func run(input: UnsafeBufferPointer<Float>, batch: Int, output: UnsafeMutableBufferPointer<Float>,
                    profile: inout OperatorProfile?) throws {
        let inputSize = inputShape.reduce(1, *)
        let outputSize = sampleSizes.last ?? inputSize
        guard batch >= 0, input.count == batch * inputSize, output.count == batch * outputSize else {
            throw ExecutionPlanError.bufferSizes(batch: batch, input: input.count, output: output.count)
        }
        guard batch > 0 else { return }
        prepareBuffers(batch: batch)
        var current = input.baseAddress!
        var currentShape = inputShape
        var currentSize = inputSize
        for (index, step) in steps.enumerated() {
            let target = buffers[index].baseAddress!
            if case .identity = step {
                // A reshape (flatten, inference dropout): the next step reads the same memory.
                profile?.add(kind: layers[index].kernel.operatorKind, seconds: 0)
                currentShape = layers[index].outputShape
                currentSize = sampleSizes[index]
                continue
            }
            if profile != nil, case let .linear(.int8(packed), _, outputCount, inputCount) = step {
                // Profiled int8 layers run in stages so quantize and dequantize are reported apart.
                let work = ExecutionPlan.LinearKernel.int8(packed).parallelWork(
                    rows: batch, outputCount: outputCount, inputCount: inputCount)
                let stages = packed.applyTimingStages(
                    input: current, rows: batch, output: target, granularity: .perRow,
                    threadCount: work >= Self.parallelWorkThreshold ? threads : 1)
                profile?.add(kind: OperatorProfile.quantizeKind, seconds: stages.quantize)
                profile?.add(kind: layers[index].kernel.operatorKind, seconds: stages.multiply)
                profile?.add(kind: OperatorProfile.dequantizeKind, seconds: stages.dequantize)
                current = UnsafePointer(target)
                currentShape = layers[index].outputShape
                currentSize = sampleSizes[index]
                continue
            }
            let start = profile == nil ? nil : ContinuousClock.now
            try step.execute(input: current, inputShape: currentShape, inputSize: currentSize,
                             batch: batch, output: target, outputSize: sampleSizes[index], threads: threads)
            if let start {
                let (seconds, attoseconds) = (ContinuousClock.now - start).components
                profile?.add(kind: layers[index].kernel.operatorKind,
                             seconds: Double(seconds) + Double(attoseconds) * 1e-18)
            }
            current = UnsafePointer(target)
            currentShape = layers[index].outputShape
            currentSize = sampleSizes[index]
        }
        output.baseAddress!.update(from: current, count: batch * outputSize)
    }

    /// Sizes the activation buffers for `batch`: they only grow (to the largest batch run so far)
    /// and smaller batches use their start, so alternating batch sizes (as the interleaved bench
    /// does) neither allocates nor moves them.
    private func prepareBuffers(batch: Int) {
        guard batch != bufferedBatch else { return }
        if batch > capacityBatch {
            releaseBuffers()
            storage = sampleSizes.map { size in
                // 64-byte aligned: kernels read activations with full-width vector loads.
                let raw = UnsafeMutableRawPointer.allocate(byteCount: 4 * max(1, size * batch), alignment: 64)
                let buffer = UnsafeMutableBufferPointer(start: raw.bindMemory(to: Float.self, capacity: max(1, size * batch)),
                                                        count: max(1, size * batch))
                buffer.initialize(repeating: 0)
                return buffer
            }
            capacityBatch = batch
        }
        buffers = zip(storage, sampleSizes).map { buffer, size in
            UnsafeMutableBufferPointer(rebasing: buffer[0..<(size * batch)])
        }
        bufferedBatch = batch
    }

    private func releaseBuffers() {
        for buffer in storage { buffer.baseAddress.map { UnsafeMutableRawPointer($0).deallocate() } }
        storage = []
        buffers = []
        bufferedBatch = 0
        capacityBatch = 0
    }
}
