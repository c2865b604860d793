import ShrinkKernels
import ShrinkTensor

/// A 2-D convolution (cross-correlation, as in PyTorch and Caffe) with square kernels, computed
/// as im2col + GEMM.
///
/// Input `[batch, inputChannels, height, width]`, output
/// `[batch, outputChannels, outputHeight, outputWidth]` with
/// `outputHeight = (height + 2·padding − kernelSize) / stride + 1` (likewise for the width).
/// Weight `[outputChannels, inputChannels, kernelSize, kernelSize]`, bias `[outputChannels]`.
///
/// The batch is split into chunks run in parallel (`Parallelism.forEachChunk`); each chunk
/// lowers a few samples at a time into its own scratch matrix
/// `columns[inputChannels·kernelSize², samples·outputPixels]` and multiplies
/// `[outputChannels, inputChannels·kernelSize²] · columns`. Weight gradients are accumulated per
/// chunk and summed in chunk order.
public final class Convolution2D: Layer {
    public let name: String
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    /// `<name>.weight`, `[outputChannels, inputChannels, kernelSize, kernelSize]`.
    public let weight: Parameter
    /// `<name>.bias`, `[outputChannels]`, or nil without bias.
    public let bias: Parameter?

    /// The fewest samples worth handing to a separate thread; nil (the default) means about one
    /// million floating-point operations of forward work per chunk. Tests set it to force chunking.
    var minimumSamplesPerChunk: Int?
    /// How many floats one lowered-input scratch matrix may hold (about 1 MiB, to stay in L2).
    var columnBudget = 1 << 18

    /// The input of the last training forward pass, `[batch, inputChannels, height, width]`.
    private var cachedInput: Tensor?
    private let scratchPool = ScratchPool { ConvolutionScratch() }

    /// Creates the layer with PyTorch's default initialization drawn from `generator`.
    public init(
        name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int,
        stride: Int = 1, padding: Int = 0, hasBias: Bool = true,
        generator: inout SeededRandomNumberGenerator
    ) {
        precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "Convolution2D '\(name)' has invalid hyper-parameters")
        self.name = name
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        let fanIn = inputChannels * kernelSize * kernelSize
        let initial = Initialization.kaimingUniform(
            weightShape: [outputChannels, inputChannels, kernelSize, kernelSize], fanIn: fanIn,
            hasBias: hasBias, biasCount: outputChannels, generator: &generator)
        weight = Parameter(name: "\(name).weight", value: initial.weight)
        bias = initial.bias.map { Parameter(name: "\(name).bias", value: $0) }
    }

    /// Creates the layer around existing parameters (a graph network's weights):
    /// `weight` `[outputChannels, inputChannels, kernelSize, kernelSize]`, `bias` `[outputChannels]`.
    public init(name: String, weight: Parameter, bias: Parameter?, stride: Int, padding: Int) {
        let shape = weight.value.shape
        precondition(shape.count == 4 && shape[2] == shape[3], "Convolution2D '\(name)' needs a square rank-4 weight")
        self.name = name
        self.outputChannels = shape[0]
        self.inputChannels = shape[1]
        self.kernelSize = shape[2]
        self.stride = stride
        self.padding = padding
        self.weight = weight
        self.bias = bias
    }


    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    /// The geometry of one call.
    private func geometry(for shape: [Int]) -> ConvolutionGeometry {
        precondition(shape.count == 4 && shape[1] == inputChannels,
                     "Convolution2D '\(name)' expects [batch, \(inputChannels), height, width], got \(shape)")
        let geometry = ConvolutionGeometry(
            channels: inputChannels, height: shape[2], width: shape[3],
            kernelSize: kernelSize, stride: stride, padding: padding)
        precondition(geometry.outputHeight > 0 && geometry.outputWidth > 0,
                     "Convolution2D '\(name)': input \(shape) is smaller than the kernel")
        return geometry
    }

    /// Samples per chunk handed to one thread, and samples lowered together into one GEMM.
    private func partition(_ geometry: ConvolutionGeometry) -> (chunk: Int, group: Int) {
        let flopsPerSample = 2 * outputChannels * geometry.columnRows * geometry.outputPixels
        let chunk = max(1, minimumSamplesPerChunk ?? 1_000_000 / max(1, flopsPerSample))
        let group = max(1, columnBudget / max(1, geometry.columnRows * geometry.outputPixels))
        return (chunk, group)
    }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        let geometry = geometry(for: input.shape)
        let batch = input.shape[0]
        let outputs = outputChannels
        let pixels = geometry.outputPixels, rows = geometry.columnRows
        let inputSampleSize = geometry.inputSampleSize, outputSampleSize = outputs * pixels
        let (minimumChunk, groupSize) = partition(geometry)
        let scalars = [Float].uninitialized(count: batch * outputSampleSize) { output in
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    withOptionalBuffer(bias?.value) { b in
                        Parallelism.forEachChunk(count: batch, minimumChunk: minimumChunk) { samples in
                            scratchPool.withGroup { scratch in
                                for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: groupSize) {
                                    let count = min(groupSize, samples.upperBound - first)
                                    let width = count * pixels
                                    let columns = scratch.columns.reserve(rows * width)
                                    geometry.lower(x.baseAddress! + first * inputSampleSize, samples: count, into: columns)
                                    // product[outputChannels, count·pixels] = W[outputChannels, rows] · columns
                                    let product = count == 1
                                        ? output + first * outputSampleSize
                                        : scratch.product.reserve(outputs * width)
                                    GEMM.multiply(
                                        m: outputs, n: width, k: rows,
                                        a: MatrixOperand(w.baseAddress!, rowStride: rows),
                                        b: MatrixOperand(columns, rowStride: width),
                                        c: product, cRowStride: width)
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
                }
            }
        }
        cachedInput = mode == .training ? input : nil
        return Tensor(shape: [batch, outputs, geometry.outputHeight, geometry.outputWidth], scalars: scalars)
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
        let outputs = outputChannels
        let pixels = geometry.outputPixels, rows = geometry.columnRows
        let inputSampleSize = geometry.inputSampleSize, outputSampleSize = outputs * pixels
        precondition(outputGradient.shape == [batch, outputs, geometry.outputHeight, geometry.outputWidth],
                     "Convolution2D '\(name)': output gradient shape \(outputGradient.shape) does not match the forward output")
        let (minimumChunk, groupSize) = partition(geometry)
        let hasBias = bias != nil
        let chunkResults = ChunkResults<ConvolutionScratch>()
        var inputGradient = Tensor(zeros: needsInputGradient ? input.shape : [0])
        inputGradient.withUnsafeMutableBufferPointer { dxBuffer in
            let dx = needsInputGradient ? dxBuffer.baseAddress : nil
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    outputGradient.withUnsafeBufferPointer { dyBuffer in
                        let dy = dyBuffer.baseAddress!
                        Parallelism.forEachChunk(count: batch, minimumChunk: minimumChunk) { samples in
                            let scratch = scratchPool.acquire()
                            let weightGradient = scratch.weightGradient.reserve(outputs * rows)
                            let biasGradient = scratch.biasGradient.reserve(outputs)
                            weightGradient.update(repeating: 0, count: outputs * rows)
                            biasGradient.update(repeating: 0, count: outputs)
                            for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: groupSize) {
                                let count = min(groupSize, samples.upperBound - first)
                                let width = count * pixels
                                let columns = scratch.columns.reserve(rows * width)
                                geometry.lower(x.baseAddress! + first * inputSampleSize, samples: count, into: columns)
                                // Gather dY into [outputChannels, count·pixels].
                                let gradient: UnsafePointer<Float>
                                if count == 1 {
                                    gradient = UnsafePointer(dy + first * outputSampleSize)
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
                                // dW[outputChannels, rows] += dY · columnsᵀ
                                GEMM.multiply(
                                    m: outputs, n: rows, k: width,
                                    a: MatrixOperand(gradient, rowStride: width),
                                    b: MatrixOperand(columns, rowStride: width, transposed: true),
                                    beta: 1, c: weightGradient, cRowStride: rows)
                                if hasBias {
                                    for channel in 0..<outputs {
                                        biasGradient[channel] += VectorLoops.sum(gradient + channel * width, count: width)
                                    }
                                }
                                // dColumns[rows, count·pixels] = Wᵀ · dY, written over the lowered input.
                                guard let dx else { continue }
                                GEMM.multiply(
                                    m: rows, n: width, k: outputs,
                                    a: MatrixOperand(w.baseAddress!, rowStride: rows, transposed: true),
                                    b: MatrixOperand(gradient, rowStride: width),
                                    c: columns, cRowStride: width)
                                geometry.accumulateLowered(columns, samples: count, into: dx + first * inputSampleSize)
                            }
                            chunkResults.record(start: samples.lowerBound, scratch)
                        }
                    }
                }
            }
        }
        // Reduce the chunks' parameter gradients in chunk order.
        for scratch in chunkResults.ordered {
            weight.gradient.withUnsafeMutableBufferPointer { dw in
                let partial = scratch.weightGradient.pointer
                for index in 0..<(outputs * rows) { dw[index] += partial[index] }
            }
            bias?.gradient.withUnsafeMutableBufferPointer { db in
                let partial = scratch.biasGradient.pointer
                for index in 0..<outputs { db[index] += partial[index] }
            }
            scratchPool.release(scratch)
        }
        return needsInputGradient ? inputGradient : nil
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
