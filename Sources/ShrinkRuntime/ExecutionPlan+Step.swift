import ShrinkKernels
import ShrinkNN
import ShrinkTensor

extension ExecutionPlan {
    /// A weight matrix's packed kernel.
    enum LinearKernel {
        case int8(Int8LinearWeights)
        /// 1-4-bit affine codes packed two or four per byte, with u8 activations quantized per row.
        case subByte(SubByteLinearWeights)
        case float16(Float16LinearWeights)
        case palette(PaletteLinearWeights)
        /// 9-16-bit palette indices (`LayerKernel.palette(bits:)` too).
        case widePalette(WidePaletteLinearWeights)
        case sparse(SparseLinearWeights)
        case float32(Float32LinearWeights)
        /// Several forms of one weight, each running the batch sizes it was fastest at when the
        /// plan loaded (`KernelSelection.measured`, `ExecutionPlan+KernelSelection.swift`).
        case chosen(BatchChoice<LinearKernel>)

        /// The form that runs `batch` samples (this kernel unless it is `.chosen`).
        func resolved(batch: Int) -> LinearKernel {
            if case let .chosen(choice) = self { return choice.form(forBatch: batch) }
            return self
        }
    }

    /// What one step computes.
    enum Operation {
        /// `[batch, inputCount]` → `[batch, outputCount]` on a packed kernel; int8 kernels quantize
        /// with `quantization` when set (static), else per row (as sub-byte kernels always do).
        case linear(LinearKernel, quantization: StaticActivationQuantization?, outputCount: Int, inputCount: Int)
        /// im2col, the packed kernel on `[batch · pixels, in · k²]`, scatter to `[batch, out, pixels]`.
        case convolution(LinearKernel, quantization: StaticActivationQuantization?, work: ConvolutionWork)
        /// A native step (`ExecutionPlan+Native.swift`) on the arena; `.add` reads two inputs.
        case native(NativeOperation)
        /// max(0, x) over `elements` floats per sample.
        case relu(elements: Int)
        /// The op's own inference kernel on tensors copied from and to the arena.
        case reference(any OperatorKernel, inputShapes: [[Int]], outputShapes: [[Int]])
        /// One of several single-input steps by batch size, each fastest there when the plan
        /// loaded (`KernelSelection.measured`); each applies its own output transform.
        case chosen(BatchChoice<Step>)
    }

    /// One step of the plan: graph node `node` (index into `layers`) reading values `inputs` and
    /// writing values `outputs` (value ids), then applying `transform` (folded-in BatchNorm scale
    /// and shift, fused ReLU) to its single output while it is in cache.
    final class Step {
        let node: Int
        let name: String
        let operation: Operation
        let inputs: [Int], outputs: [Int]
        let transform: OutputTransform
        /// Whether the step runs its op's own kernel (any number of inputs and outputs).
        let isReference: Bool
        /// The int8 kernel of a `.linear` step, when its output transform is at most a ReLU (which
        /// then runs in the kernel's epilogue), with the quantization of its input.
        let fusedInt8: (weights: Int8LinearWeights, quantization: Int8InputQuantization)?
        /// Whether the output transform is at most a ReLU, which a sub-byte kernel then applies in
        /// its epilogue.
        let fusesIntoEpilogue: Bool

        init(node: Int, name: String, operation: Operation, inputs: [Int], outputs: [Int], transform: OutputTransform) {
            self.node = node
            self.name = name
            self.operation = operation
            self.inputs = inputs
            self.outputs = outputs
            self.transform = transform
            if case .reference = operation { isReference = true } else { isReference = false }
            fusesIntoEpilogue = transform.scale == nil && (transform.relu || !transform.clamps)
            if case let .linear(.int8(weights), quantization, _, _) = operation, fusesIntoEpilogue {
                fusedInt8 = (weights, quantization.map { .calibrated($0) } ?? .dynamic(.perRow))
            } else {
                fusedInt8 = nil
            }
        }

        /// Whether a profiled run splits it into quantize / multiply / dequantize stages.
        var runsInStages: Bool {
            if case .linear(.int8, _, _, _) = operation { return true }
            return false
        }

        /// Bytes of weights the step reads per inference.
        var weightByteCount: Int {
            switch operation {
            case let .linear(kernel, _, _, _), let .convolution(kernel, _, _): kernel.packedByteCount + transform.byteCount
            case .relu: 0
            case let .native(native): native.weightByteCount
            case .reference: referenceWeightBytes + transform.byteCount
            case let .chosen(choice): choice.form(forBatch: 1).weightByteCount
            }
        }

        /// 4 bytes per fp32 weight of a reference kernel (set by the compiler).
        var referenceWeightBytes = 0

        /// Runs a single-input, single-output step (everything but `.reference`) from `input` into `output`.
        func execute(input: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>? = nil,
                     output: UnsafeMutablePointer<Float>, batch: Int, threads: Int) throws {
            switch operation {
            case let .chosen(choice):
                try choice.form(forBatch: batch).execute(input: input, second: second, output: output, batch: batch,
                                                         threads: threads)
            case let .native(native):
                native.run(input: input, second: second, output: output, batch: batch, transform: transform)
            case let .linear(chosen, quantization, outputCount, inputCount):
                let kernel = chosen.resolved(batch: batch)
                let work = kernel.parallelWork(rows: batch, outputCount: outputCount, inputCount: inputCount)
                let threadCount = work >= ExecutionPlan.parallelWorkThreshold ? threads : 1
                if let fusedInt8 {
                    // A fused ReLU runs in the int8 kernel's dequantizing epilogue: no pass of its own.
                    do {
                        try fusedInt8.weights.apply(input: input, rows: batch, output: output, quantization: fusedInt8.quantization,
                                                    relu: transform.relu, threadCount: threadCount)
                    } catch {
                        throw ExecutionPlanError.kernel(node: name, error)
                    }
                    return
                }
                if case let .subByte(weights) = kernel, fusesIntoEpilogue {
                    do {
                        try weights.apply(input: input, rows: batch, output: output, relu: transform.relu,
                                          threadCount: threadCount)
                    } catch {
                        throw ExecutionPlanError.kernel(node: name, error)
                    }
                    return
                }
                try Self.apply(kernel, quantization: quantization, input: input, rows: batch, output: output,
                               threadCount: threadCount, node: name)
                transform.apply(output, batch: batch, pixels: 1)
            case let .convolution(.int8(weights), quantization?, work):
                // Static int8: [batch, in, h, w] → u8 codes → padded channels-last images → int8
                // product reading each window in place (weights packed in that column order) →
                // [batch, out, pixels]
                work.prepareQuantized(batch: batch, parameters: quantization)
                let images = work.lowerQuantized(input, batch: batch, parameters: quantization)
                let parallelWork = LinearKernel.int8(weights).parallelWork(rows: work.pixels, outputCount: work.outputChannels,
                                                                           inputCount: work.depth)
                do throws(RuntimeKernelError) {
                    let geometry = try work.int8Geometry
                    for sample in 0..<batch {
                        try weights.applyConvolution(
                            image: images + sample * work.imageSize, geometry: geometry, scales: work.rowScales.baseAddress!,
                            zeroPoints: work.rowZeroPoints.baseAddress!,
                            output: work.products.baseAddress! + sample * work.pixels * work.outputChannels,
                            threadCount: parallelWork >= ExecutionPlan.parallelWorkThreshold ? threads : 1)
                    }
                } catch {
                    throw ExecutionPlanError.kernel(node: name, error)
                }
                work.scatter(batch: batch, into: output, transform: transform)
            case let .convolution(chosen, quantization, work):
                // [batch, in, h, w] → im2col [batch·pixels, in·k²] → [batch·pixels, out] → [batch, out, pixels],
                // a chunk of samples at a time so the lowered rows stay in cache (every kernel
                // treats rows independently: per-row or calibrated activation quantization, so
                // the chunks do not change the outputs).
                let kernel = chosen.resolved(batch: batch)
                let sampleSize = work.channels * work.height * work.width
                if case let .sparse(weights) = kernel, quantization == nil {
                    // Sparse: im2col transposed, [in · k², samples · pixels], a chunk of samples at a
                    // time; the CSR product yᵀ [out, samples · pixels] (one contiguous multiply-add
                    // per non-zero over the whole chunk: no gathers, no transposes), each sample's
                    // planes copied to [batch, out, pixels], then the fused transform in place.
                    let sparseChunk = work.sparseSamplesPerChunk
                    work.prepare(batch: batch, chunk: sparseChunk)
                    let parallelWork = kernel.parallelWork(rows: work.pixels, outputCount: work.outputChannels, inputCount: work.depth)
                    let threadCount = parallelWork >= ExecutionPlan.parallelWorkThreshold ? threads : 1
                    let products = work.products.baseAddress!, planes = work.outputChannels * work.pixels
                    for first in stride(from: 0, to: batch, by: sparseChunk) {
                        let samples = min(sparseChunk, batch - first), columns = samples * work.pixels
                        work.lowerTransposed(input + first * sampleSize, batch: samples)
                        let target = samples == 1 ? output + first * planes : products
                        weights.applyTransposed(input: work.columns.baseAddress!, columns: columns, inputStride: columns,
                                                output: target, outputStride: columns, threadCount: threadCount)
                        guard samples > 1 else { continue }
                        for sample in 0..<samples {
                            for channel in 0..<work.outputChannels {
                                (output + (first + sample) * planes + channel * work.pixels).update(
                                    from: products + channel * columns + sample * work.pixels, count: work.pixels)
                            }
                        }
                    }
                    transform.apply(output, batch: batch, pixels: work.pixels)
                    return
                }
                let chunk = work.samplesPerChunk
                work.prepare(batch: batch, chunk: chunk)
                for first in stride(from: 0, to: batch, by: chunk) {
                    let samples = min(chunk, batch - first)
                    work.lower(input + first * sampleSize, batch: samples)
                    let rows = samples * work.pixels
                    let parallelWork = kernel.parallelWork(rows: rows, outputCount: work.outputChannels, inputCount: work.depth)
                    try Self.apply(kernel, quantization: quantization, input: work.columns.baseAddress!, rows: rows,
                                   output: work.products.baseAddress! + first * work.pixels * work.outputChannels,
                                   threadCount: parallelWork >= ExecutionPlan.parallelWorkThreshold ? threads : 1, node: name)
                }
                work.scatter(batch: batch, into: output, transform: transform)
            case let .relu(elements):
                for index in 0..<(batch * elements) { output[index] = max(0, input[index]) }
                transform.apply(output, batch: batch, pixels: elements / max(1, transform.channels))
            case .reference:
                try execute(inputs: [UnsafePointer(input)], outputs: [output], batch: batch, threads: threads)
            }
        }

        /// Runs a step on its op's own kernel (any number of inputs and outputs).
        func execute(inputs: [UnsafePointer<Float>], outputs: [UnsafeMutablePointer<Float>], batch: Int, threads: Int) throws {
            guard case let .reference(kernel, inputShapes, outputShapes) = operation else {
                return try execute(input: UnsafeMutablePointer(mutating: inputs[0]), output: outputs[0], batch: batch,
                                   threads: threads)
            }
            let tensors = zip(inputs, inputShapes).map { pointer, shape in
                Tensor(shape: [batch] + shape,
                       scalars: Array(UnsafeBufferPointer(start: pointer, count: batch * shape.reduce(1, *))))
            }
            let results = kernel.forward(tensors, mode: .inference)
            guard results.count == outputShapes.count else {
                throw ExecutionPlanError.unsupported(node: name, reason: "kernel returned \(results.count) outputs, expected \(outputShapes.count)")
            }
            for (position, result) in results.enumerated() {
                let expected = [batch] + outputShapes[position]
                guard result.shape.reduce(1, *) == expected.reduce(1, *) else {
                    throw ExecutionPlanError.unsupported(node: name, reason: "kernel returned \(result.shape), expected \(expected)")
                }
                result.withUnsafeBufferPointer { values in
                    outputs[position].update(from: values.baseAddress!, count: values.count)
                }
            }
            if let shape = outputShapes.first {
                transform.apply(outputs[0], batch: batch, pixels: shape.dropFirst().reduce(1, *))
            }
        }

        /// A profiled int8 Linear: quantize, products and dequantize timed apart (same results as
        /// the fused call); the output transform counts with the products.
        func executeInStages(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
                             threads: Int, kind: String, profile: inout OperatorProfile?) throws {
            guard case let .linear(.int8(packed), quantization, outputCount, inputCount) = operation else {
                return try execute(input: input, output: output, batch: batch, threads: threads)
            }
            let work = LinearKernel.int8(packed).parallelWork(rows: batch, outputCount: outputCount, inputCount: inputCount)
            let stages = packed.applyTimingStages(
                input: input, rows: batch, output: output, granularity: .perRow, parameters: quantization,
                threadCount: work >= ExecutionPlan.parallelWorkThreshold ? threads : 1)
            let start = ContinuousClock.now
            transform.apply(output, batch: batch, pixels: 1)
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            profile?.add(kind: OperatorProfile.quantizeKind, seconds: stages.quantize)
            profile?.add(kind: kind, seconds: stages.multiply + Double(seconds) + Double(attoseconds) * 1e-18)
            profile?.add(kind: OperatorProfile.dequantizeKind, seconds: stages.dequantize)
        }

        private static func apply(
            _ kernel: LinearKernel, quantization: StaticActivationQuantization?, input: UnsafePointer<Float>, rows: Int,
            output: UnsafeMutablePointer<Float>, threadCount: Int, node: String
        ) throws {
            do {
                switch kernel {
                case let .int8(packed):
                    if let quantization {
                        try packed.apply(input: input, rows: rows, output: output, parameters: quantization, threadCount: threadCount)
                    } else {
                        try packed.apply(input: input, rows: rows, output: output, granularity: .perRow, threadCount: threadCount)
                    }
                case let .subByte(packed):
                    try packed.apply(input: input, rows: rows, output: output, threadCount: threadCount)
                case .float16, .palette, .widePalette, .sparse, .float32, .chosen:
                    kernel.applyUnquantized(input: input, rows: rows, output: output, threadCount: threadCount)
                }
            } catch {
                throw ExecutionPlanError.kernel(node: node, error)
            }
        }
    }
}

extension ExecutionPlan.LinearKernel {
    /// The work of `rows` rows compared with `ExecutionPlan.parallelWorkThreshold`: the
    /// dense-equivalent multiply-accumulates, int8 and sub-byte ones counted at a quarter (VNNI
    /// does four per 32-bit lane; LeNet-300-100's int8 fc1 takes about 1.5 µs and ran 0.2 µs
    /// slower on two threads in 7 of 8 alternated runs, median 3.9 vs 3.7 µs per inference).
    func parallelWork(rows: Int, outputCount: Int, inputCount: Int) -> Int {
        let multiplyAccumulates = rows * outputCount * inputCount
        switch self {
        case .int8, .subByte: return multiplyAccumulates / 4
        default: return multiplyAccumulates
        }
    }

    /// y = x · Wᵀ + bias for the fp32-input forms (int8 and sub-byte quantize their input first:
    /// `Step.apply`); a `.chosen` kernel runs its form for `rows` samples (callers with several
    /// rows per sample resolve it with `resolved(batch:)` first).
    func applyUnquantized(input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, threadCount: Int) {
        switch self {
        case .int8, .subByte:
            preconditionFailure("int8 and sub-byte weights quantize their input: ExecutionPlan.Step.apply")
        case let .float16(packed):
            packed.apply(input: input, rows: rows, output: output, threadCount: threadCount)
        case let .palette(packed):
            packed.apply(input: input, rows: rows, output: output, threadCount: threadCount)
        case let .widePalette(packed):
            packed.apply(input: input, rows: rows, output: output, threadCount: threadCount)
        case let .sparse(packed):
            packed.apply(input: input, rows: rows, output: output, threadCount: threadCount)
        case let .float32(packed):
            // Row-dot GEMV for small batches, blocked GEMM for larger ones.
            packed.apply(input: input, rows: rows, output: output, threadCount: threadCount)
        case let .chosen(choice):
            choice.form(forBatch: rows).applyUnquantized(input: input, rows: rows, output: output, threadCount: threadCount)
        }
    }

    /// Bytes of the packed weights (and bias, centroids, scales) one inference reads: a
    /// `.chosen` kernel's batch-1 form.
    var packedByteCount: Int {
        switch self {
        case let .int8(packed): packed.packedByteCount
        case let .subByte(packed): packed.packedByteCount
        case let .float16(packed): packed.packedByteCount
        case let .palette(packed): packed.packedByteCount
        case let .widePalette(packed): packed.packedByteCount
        case let .sparse(packed): packed.packedByteCount
        case let .float32(packed): packed.packedByteCount
        case let .chosen(choice): choice.form(forBatch: 1).packedByteCount
        }
    }

    /// Bytes of every form kept in memory (a `.chosen` kernel's forms together).
    var residentByteCount: Int {
        guard case let .chosen(choice) = self else { return packedByteCount }
        return choice.forms.reduce(0) { $0 + $1.packedByteCount }
    }
}
