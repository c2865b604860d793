import ShrinkKernels
import ShrinkTensor

/// A 2-D convolution (cross-correlation, as in PyTorch and Caffe), computed as im2col + GEMM,
/// or by direct per-channel loops when it is depthwise.
///
/// Input `[batch, inputChannels, height, width]`, output
/// `[batch, outputChannels, outputHeight, outputWidth]` with
/// `outputHeight = (height + padTop + padBottom − dilationHeight·(kernelHeight − 1) − 1) / strideHeight + 1`
/// (likewise for the width). Weight `[outputChannels, inputChannels / groups, kernelHeight,
/// kernelWidth]`, bias `[outputChannels]`. With `groups > 1` output channel block `g` reads only
/// input channel block `g`.
///
/// The batch is split into a fixed number of chunks (`maximumBatchChunks`, independent of the
/// thread count) run in parallel (`Parallelism.forEachFixedChunk`); each chunk
/// lowers a few samples at a time into its own scratch matrix
/// `columns[inputChannels·kernelHeight·kernelWidth, samples·outputPixels]` and, per group,
/// multiplies the group's weight rows by the group's lowered rows. Weight gradients are
/// accumulated per chunk and summed in chunk order, so training gives the same weights at any
/// thread count. Depthwise convolutions (`groups ==
/// inputChannels > 1`) run `DepthwiseConvolution` instead, split by channel.
public final class Convolution2D: Layer {
    public let name: String
    public let inputChannels: Int
    public let outputChannels: Int
    /// Kernel extent, strides, dilations and pads (`[top, left, bottom, right]`).
    public let window: WindowGeometry
    /// Channel groups: 1 for a dense convolution, `inputChannels` for a depthwise one.
    public let groups: Int
    /// `<name>.weight`, `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]`.
    public let weight: Parameter
    /// `<name>.bias`, `[outputChannels]`, or nil without bias.
    public let bias: Parameter?

    /// The kernel height (the kernel size of a square window, as chain architectures describe it).
    public var kernelSize: Int { window.kernel[0] }
    /// The vertical stride (the stride of a square window).
    public var stride: Int { window.strides[0] }
    /// The top padding (the padding of a symmetric window).
    public var padding: Int { window.pads[0] }

    /// Whether this is a depthwise convolution (one input channel per group, any number of
    /// output channels per input channel), run by `DepthwiseConvolution`.
    public var isDepthwise: Bool { groups > 1 && groups == inputChannels }

    /// The fewest samples worth handing to a separate thread; nil (the default) means about one
    /// million floating-point operations of forward work per chunk. Tests set it to force chunking.
    var minimumSamplesPerChunk: Int?
    /// The fewest input channels worth handing to a separate thread in the depthwise path; nil
    /// (the default) means about one million floating-point operations per chunk.
    var minimumChannelsPerChunk: Int?
    /// Whether depthwise convolutions run `DepthwiseConvolution` (the default) rather than
    /// im2col + one GEMM per group; tests and benchmarks compare the two.
    var usesDepthwiseLoops = true
    /// Whether ungrouped stride-1 windows that suit it run `ShiftedConvolution` (the default)
    /// rather than im2col + GEMM; tests and benchmarks compare the two.
    var usesShiftedProducts = true
    /// How many floats one lowered-input scratch matrix may hold (about 1 MiB, to stay in L2).
    var columnBudget = 1 << 18

    /// The input of the last training forward pass, `[batch, inputChannels, height, width]`.
    private var cachedInput: Tensor?
    let scratchPool = ScratchPool { ConvolutionScratch() }

    /// Creates the layer with PyTorch's default initialization drawn from `generator`
    /// (Kaiming-uniform with `fanIn = inputChannels / groups · kernelHeight · kernelWidth`,
    /// weight then bias).
    public init(
        name: String, inputChannels: Int, outputChannels: Int, window: WindowGeometry, groups: Int = 1,
        hasBias: Bool = true, generator: inout SeededRandomNumberGenerator
    ) {
        Self.checkHyperparameters(name: name, inputChannels: inputChannels, outputChannels: outputChannels,
                                  window: window, groups: groups)
        self.name = name
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.window = window
        self.groups = groups
        let weightShape = [outputChannels, inputChannels / groups, window.kernel[0], window.kernel[1]]
        let initial = Initialization.kaimingUniform(
            weightShape: weightShape, fanIn: inputChannels / groups * window.kernel[0] * window.kernel[1],
            hasBias: hasBias, biasCount: outputChannels, generator: &generator)
        weight = Parameter(name: "\(name).weight", value: initial.weight)
        bias = initial.bias.map { Parameter(name: "\(name).bias", value: $0) }
    }

    /// Creates a square-kernel layer with symmetric padding and one group, with PyTorch's
    /// default initialization drawn from `generator`.
    public convenience init(
        name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int,
        stride: Int = 1, padding: Int = 0, hasBias: Bool = true,
        generator: inout SeededRandomNumberGenerator
    ) {
        precondition(kernelSize > 0 && stride > 0 && padding >= 0, "Convolution2D '\(name)' has invalid hyper-parameters")
        self.init(name: name, inputChannels: inputChannels, outputChannels: outputChannels,
                  window: WindowGeometry(square: kernelSize, stride: stride, padding: padding),
                  hasBias: hasBias, generator: &generator)
    }

    /// Creates the layer around existing parameters (a graph network's weights):
    /// `weight` `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]` matching
    /// `window.kernel`, `bias` `[outputChannels]`.
    public init(name: String, weight: Parameter, bias: Parameter?, window: WindowGeometry, groups: Int = 1) {
        let shape = weight.value.shape
        precondition(shape.count == 4 && Array(shape[2...]) == window.kernel,
                     "Convolution2D '\(name)' needs a rank-4 weight with a \(window.kernel) kernel, got \(shape)")
        self.name = name
        self.outputChannels = shape[0]
        self.inputChannels = shape[1] * groups
        self.window = window
        self.groups = groups
        self.weight = weight
        self.bias = bias
        Self.checkHyperparameters(name: name, inputChannels: inputChannels, outputChannels: outputChannels,
                                  window: window, groups: groups)
        precondition(bias.map { $0.value.shape == [outputChannels] } ?? true,
                     "Convolution2D '\(name)' needs a [\(outputChannels)] bias")
    }

    /// Creates a square-kernel, ungrouped layer around existing parameters: `weight`
    /// `[outputChannels, inputChannels, kernelSize, kernelSize]`, `bias` `[outputChannels]`.
    public convenience init(name: String, weight: Parameter, bias: Parameter?, stride: Int, padding: Int) {
        let shape = weight.value.shape
        precondition(shape.count == 4 && shape[2] == shape[3], "Convolution2D '\(name)' needs a square rank-4 weight")
        self.init(name: name, weight: weight, bias: bias,
                  window: WindowGeometry(square: shape[2], stride: stride, padding: padding))
    }

    private static func checkHyperparameters(
        name: String, inputChannels: Int, outputChannels: Int, window: WindowGeometry, groups: Int
    ) {
        precondition(inputChannels > 0 && outputChannels > 0 && groups > 0
                     && inputChannels % groups == 0 && outputChannels % groups == 0,
                     "Convolution2D '\(name)': groups \(groups) must divide the channel counts \(inputChannels) and \(outputChannels)")
        precondition(window.kernel.count == 2 && window.strides.count == 2 && window.dilations.count == 2
                     && window.pads.count == 4 && window.kernel.allSatisfy { $0 > 0 } && window.strides.allSatisfy { $0 > 0 }
                     && window.dilations.allSatisfy { $0 > 0 } && window.pads.allSatisfy { $0 >= 0 },
                     "Convolution2D '\(name)' has an invalid window \(window)")
    }


    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    /// The geometry of one call.
    private func geometry(for shape: [Int]) -> ConvolutionGeometry {
        precondition(shape.count == 4 && shape[1] == inputChannels,
                     "Convolution2D '\(name)' expects [batch, \(inputChannels), height, width], got \(shape)")
        let geometry = ConvolutionGeometry(channels: inputChannels, height: shape[2], width: shape[3],
                                           window: window, groups: groups)
        precondition(geometry.outputHeight > 0 && geometry.outputWidth > 0,
                     "Convolution2D '\(name)': input \(shape) is smaller than the padded \(window.kernelDescription("kernel"))")
        return geometry
    }

    /// The most batch chunks of the lowered paths: a constant, not the thread count, so the
    /// chunks (whose weight gradients are summed in chunk order, and whose GEMM widths decide
    /// which kernel path each column takes) and with them the trained weights are the same at any
    /// thread count. Four keeps two or four threads busy.
    static let maximumBatchChunks = 4

    /// Batch chunks for `batch` samples of at least `minimumChunk` each (at most `maximumBatchChunks`).
    static func batchChunks(batch: Int, minimumChunk: Int) -> Int {
        max(1, min(maximumBatchChunks, batch / max(1, minimumChunk)))
    }

    /// Samples per chunk handed to one thread, and samples lowered together into one GEMM.
    func partition(_ geometry: ConvolutionGeometry) -> (chunk: Int, group: Int) {
        let flopsPerSample = 2 * outputChannels * geometry.groupRows * geometry.outputPixels
        let chunk = max(1, minimumSamplesPerChunk ?? 1_000_000 / max(1, flopsPerSample))
        let group = max(1, columnBudget / max(1, geometry.columnRows * geometry.outputPixels))
        return (chunk, group)
    }

    /// Input channels per chunk handed to one thread in the depthwise path.
    private func depthwiseChunk(_ geometry: ConvolutionGeometry, batch: Int) -> Int {
        let flopsPerChannel = 2 * batch * (outputChannels / inputChannels) * geometry.kernelArea * geometry.outputPixels
        return max(1, minimumChannelsPerChunk ?? 1_000_000 / max(1, flopsPerChannel))
    }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        let geometry = geometry(for: input.shape)
        let batch = input.shape[0]
        let outputShape = [batch, outputChannels, geometry.outputHeight, geometry.outputWidth]
        let scalars = [Float].uninitialized(count: outputShape.reduce(1, *)) { output in
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    withOptionalBuffer(bias?.value) { b in
                        if isDepthwise && usesDepthwiseLoops {
                            forwardDepthwise(x.baseAddress!, weight: w.baseAddress!, bias: b, batch: batch,
                                             geometry: geometry, output: output)
                        } else if usesShiftedProducts && ShiftedConvolution.suits(geometry) {
                            forwardShifted(x.baseAddress!, weight: w.baseAddress!, bias: b, batch: batch,
                                           geometry: geometry, output: output)
                        } else {
                            forwardLowered(x.baseAddress!, weight: w.baseAddress!, bias: b, batch: batch,
                                           geometry: geometry, output: output)
                        }
                    }
                }
            }
        }
        cachedInput = mode == .training ? input : nil
        return Tensor(shape: outputShape, scalars: scalars)
    }

    /// im2col + one GEMM per group, batch chunks in parallel.
    private func forwardLowered(
        _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>?, batch: Int,
        geometry: ConvolutionGeometry, output: UnsafeMutablePointer<Float>
    ) {
        let outputs = outputChannels, groups = groups
        let groupOutputs = outputs / groups
        let pixels = geometry.outputPixels, rows = geometry.columnRows, groupRows = geometry.groupRows
        let inputSampleSize = geometry.inputSampleSize, outputSampleSize = outputs * pixels
        let (minimumChunk, groupSize) = partition(geometry)
        Parallelism.forEachFixedChunk(count: batch, chunkCount: Self.batchChunks(batch: batch, minimumChunk: minimumChunk)) { samples in
            scratchPool.withGroup { scratch in
                for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: groupSize) {
                    let count = min(groupSize, samples.upperBound - first)
                    let width = count * pixels
                    let columns = scratch.columns.reserve(rows * width)
                    geometry.lower(x + first * inputSampleSize, samples: count, into: columns)
                    // product[outputChannels, count·pixels]: per group, W_g[groupOutputs, groupRows] · columns_g.
                    let product = count == 1
                        ? output + first * outputSampleSize
                        : scratch.product.reserve(outputs * width)
                    for group in 0..<groups {
                        GEMM.multiply(
                            m: groupOutputs, n: width, k: groupRows,
                            a: MatrixOperand(w + group * groupOutputs * groupRows, rowStride: groupRows),
                            b: MatrixOperand(columns + group * groupRows * width, rowStride: width),
                            c: product + group * groupOutputs * width, cRowStride: width)
                    }
                    // Scatter [outputChannels, count, pixels] into [count, outputChannels, pixels], adding the bias.
                    for sample in 0..<count {
                        let destination = output + (first + sample) * outputSampleSize
                        for channel in 0..<outputs {
                            let source = product + channel * width + sample * pixels
                            let target = destination + channel * pixels
                            VectorLoops.copyAdding(b?[channel] ?? 0, source, to: target, count: pixels)
                        }
                    }
                }
            }
        }
    }

    /// Direct per-channel loops, input-channel chunks in parallel.
    private func forwardDepthwise(
        _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>?, batch: Int,
        geometry: ConvolutionGeometry, output: UnsafeMutablePointer<Float>
    ) {
        let depthwise = DepthwiseConvolution(geometry: geometry, multiplier: outputChannels / inputChannels, batch: batch)
        Parallelism.forEachChunk(count: inputChannels, minimumChunk: depthwiseChunk(geometry, batch: batch)) { channels in
            depthwise.forward(input: x, weight: w, bias: b, output: output, channels: channels)
        }
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, needsInputGradient: true)!
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let input = cachedInput else {
            preconditionFailure("Convolution2D '\(name)': backward without a training forward pass")
        }
        let geometry = geometry(for: input.shape)
        let batch = input.shape[0]
        precondition(outputGradient.shape == [batch, outputChannels, geometry.outputHeight, geometry.outputWidth],
                     "Convolution2D '\(name)': output gradient shape \(outputGradient.shape) does not match the forward output")
        var inputGradient = Tensor(zeros: needsInputGradient ? input.shape : [0])
        inputGradient.withUnsafeMutableBufferPointer { dxBuffer in
            let dx = needsInputGradient ? dxBuffer.baseAddress : nil
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    outputGradient.withUnsafeBufferPointer { dy in
                        if isDepthwise && usesDepthwiseLoops {
                            backwardDepthwise(x.baseAddress!, weight: w.baseAddress!, outputGradient: dy.baseAddress!,
                                              inputGradient: dx, batch: batch, geometry: geometry)
                        } else if usesShiftedProducts && ShiftedConvolution.suits(geometry) {
                            backwardShifted(x.baseAddress!, weight: w.baseAddress!, outputGradient: dy.baseAddress!,
                                            inputGradient: dx, batch: batch, geometry: geometry)
                        } else {
                            backwardLowered(x.baseAddress!, weight: w.baseAddress!, outputGradient: dy.baseAddress!,
                                            inputGradient: dx, batch: batch, geometry: geometry)
                        }
                    }
                }
            }
        }
        return needsInputGradient ? inputGradient : nil
    }

    /// im2col, then per group `dW_g += dY_g · columns_gᵀ` and `dColumns_g = W_gᵀ · dY_g` (col2im
    /// into the input gradient), batch chunks in parallel; parameter gradients reduced in chunk order.
    private func backwardLowered(
        _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        inputGradient dx: UnsafeMutablePointer<Float>?, batch: Int, geometry: ConvolutionGeometry
    ) {
        let outputs = outputChannels, groups = groups
        let groupOutputs = outputs / groups
        let pixels = geometry.outputPixels, rows = geometry.columnRows, groupRows = geometry.groupRows
        let weightCount = outputs * groupRows
        let inputSampleSize = geometry.inputSampleSize, outputSampleSize = outputs * pixels
        let (minimumChunk, groupSize) = partition(geometry)
        let hasBias = bias != nil
        let chunkResults = ChunkResults<ConvolutionScratch>()
        Parallelism.forEachFixedChunk(count: batch, chunkCount: Self.batchChunks(batch: batch, minimumChunk: minimumChunk)) { samples in
            let scratch = scratchPool.acquire()
            let weightGradient = scratch.weightGradient.reserve(weightCount)
            let biasGradient = scratch.biasGradient.reserve(outputs)
            weightGradient.update(repeating: 0, count: weightCount)
            biasGradient.update(repeating: 0, count: outputs)
            for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: groupSize) {
                let count = min(groupSize, samples.upperBound - first)
                let width = count * pixels
                let columns = scratch.columns.reserve(rows * width)
                geometry.lower(x + first * inputSampleSize, samples: count, into: columns)
                // Gather dY into [outputChannels, count·pixels].
                let gradient: UnsafePointer<Float>
                if count == 1 {
                    gradient = dy + first * outputSampleSize
                } else {
                    let gathered = scratch.product.reserve(outputs * width)
                    for sample in 0..<count {
                        let source = dy + (first + sample) * outputSampleSize
                        for channel in 0..<outputs {
                            VectorLoops.copy(
                                source + channel * pixels, to: gathered + channel * width + sample * pixels,
                                count: pixels)
                        }
                    }
                    gradient = UnsafePointer(gathered)
                }
                if hasBias {
                    for channel in 0..<outputs {
                        biasGradient[channel] += VectorLoops.sum(gradient + channel * width, count: width)
                    }
                }
                for group in 0..<groups {
                    let groupGradient = gradient + group * groupOutputs * width
                    let groupColumns = columns + group * groupRows * width
                    // dW_g[groupOutputs, groupRows] += dY_g · columns_gᵀ
                    GEMM.multiply(
                        m: groupOutputs, n: groupRows, k: width,
                        a: MatrixOperand(groupGradient, rowStride: width),
                        b: MatrixOperand(groupColumns, rowStride: width, transposed: true),
                        beta: 1, c: weightGradient + group * groupOutputs * groupRows, cRowStride: groupRows)
                    // dColumns_g[groupRows, count·pixels] = W_gᵀ · dY_g, written over the group's lowered rows.
                    guard dx != nil else { continue }
                    GEMM.multiply(
                        m: groupRows, n: width, k: groupOutputs,
                        a: MatrixOperand(w + group * groupOutputs * groupRows, rowStride: groupRows, transposed: true),
                        b: MatrixOperand(groupGradient, rowStride: width),
                        c: groupColumns, cRowStride: width)
                }
                if let dx {
                    geometry.accumulateLowered(columns, samples: count, into: dx + first * inputSampleSize)
                }
            }
            chunkResults.record(start: samples.lowerBound, scratch)
        }
        // Reduce the chunks' parameter gradients in chunk order.
        for scratch in chunkResults.ordered {
            weight.gradient.withUnsafeMutableBufferPointer { dw in
                let partial = scratch.weightGradient.pointer
                for index in 0..<weightCount { dw[index] += partial[index] }
            }
            bias?.gradient.withUnsafeMutableBufferPointer { db in
                let partial = scratch.biasGradient.pointer
                for index in 0..<outputs { db[index] += partial[index] }
            }
            scratchPool.release(scratch)
        }
    }

    /// Direct per-channel loops, input-channel chunks in parallel, adding straight into the
    /// parameter gradients (each chunk owns its channels' rows).
    private func backwardDepthwise(
        _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        inputGradient dx: UnsafeMutablePointer<Float>?, batch: Int, geometry: ConvolutionGeometry
    ) {
        let depthwise = DepthwiseConvolution(geometry: geometry, multiplier: outputChannels / inputChannels, batch: batch)
        let minimumChunk = depthwiseChunk(geometry, batch: batch)
        weight.gradient.withUnsafeMutableBufferPointer { dw in
            let dwBase = dw.baseAddress!
            func run(_ db: UnsafeMutablePointer<Float>?) {
                Parallelism.forEachChunk(count: inputChannels, minimumChunk: minimumChunk) { channels in
                    depthwise.backward(input: x, outputGradient: dy, weight: w, inputGradient: dx,
                                       weightGradient: dwBase, biasGradient: db, channels: channels)
                }
            }
            if let bias {
                bias.gradient.withUnsafeMutableBufferPointer { db in run(db.baseAddress!) }
            } else {
                run(nil)
            }
        }
    }
}

/// Per-chunk scratch memory of a convolution.
final class ConvolutionScratch {
    /// The lowered input `[rows, samples·pixels]`, reused for its gradient in backward.
    let columns = ScratchBuffer()
    /// The GEMM output (forward) or the gathered output gradient (backward), `[outputChannels, samples·pixels]`.
    let product = ScratchBuffer()
    /// The chunk's weight gradient `[outputChannels, rows]`.
    let weightGradient = ScratchBuffer()
    /// The chunk's bias gradient `[outputChannels]`.
    let biasGradient = ScratchBuffer()
}

/// Calls `body` with a pointer to the tensor's elements, or nil when there is no tensor.
func withOptionalBuffer<Result>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> Result) -> Result {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0.baseAddress) }
}
