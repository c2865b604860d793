import CShrinkKernels
import ShrinkKernels
import ShrinkNN

extension ExecutionPlan {
    /// A convolution run on a compressed matrix kernel: its geometry and its scratch buffers
    /// (the lowered input and the kernel's [pixels, channels] product), grown to the batch.
    final class ConvolutionWork {
        let channels: Int, height: Int, width: Int
        let kernelSize: Int, stride: Int, padding: Int
        let outputChannels: Int, outputHeight: Int, outputWidth: Int
        private(set) var columns = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
        var products = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
        /// The static-int8 path's buffers: the input's u8 codes (as stored, then channels-last),
        /// their im2col rows (stride `quantizedRowStride`), and each row's scale and zero point
        /// (the calibrated pair, repeated).
        private(set) var inputCodes = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
        private(set) var channelsLastCodes = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
        private(set) var quantizedColumns = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
        private(set) var rowScales = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
        private(set) var rowZeroPoints = UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
        /// The parameters `rowScales` and `rowZeroPoints` hold throughout (nil: not filled).
        private var rowParameters: StaticActivationQuantization?

        /// A square, symmetric, undilated, ungrouped convolution (`lowerable(_:)`) on `inputShape`
        /// ([channels, height, width]).
        init(convolution: Convolution2DOperator, inputShape: [Int]) {
            channels = inputShape[0]
            height = inputShape[1]
            width = inputShape[2]
            kernelSize = convolution.window.kernel[0]
            stride = convolution.window.strides[0]
            padding = convolution.window.pads[0]
            outputChannels = convolution.outputChannels
            outputHeight = (height + 2 * padding - kernelSize) / stride + 1
            outputWidth = (width + 2 * padding - kernelSize) / stride + 1
        }

        /// Whether im2col here handles the op: one group, square kernel and strides, symmetric
        /// pads, no dilation (anything else keeps its op's own kernel).
        static func lowerable(_ convolution: Convolution2DOperator) -> Bool {
            let window = convolution.window
            return convolution.groups == 1 && window.kernel.count == 2 && window.kernel[0] == window.kernel[1]
                && window.strides.count == 2 && window.strides[0] == window.strides[1]
                && window.dilations == [1, 1] && window.pads.count == 4 && Set(window.pads).count == 1
        }

        deinit {
            columns.baseAddress?.deallocate()
            products.baseAddress?.deallocate()
            inputCodes.baseAddress?.deallocate()
            channelsLastCodes.baseAddress?.deallocate()
            quantizedColumns.baseAddress?.deallocate()
            rowScales.baseAddress?.deallocate()
            rowZeroPoints.baseAddress?.deallocate()
        }

        /// Output pixels per sample and the depth of one lowered row (channels · kernelSize²).
        var pixels: Int { outputHeight * outputWidth }
        var depth: Int { channels * kernelSize * kernelSize }
        /// The depth rounded up to the int8 kernel's 4-byte steps (the u8 rows' stride).
        var quantizedRowStride: Int { (depth + 3) / 4 * 4 }

        /// The static-int8 path's column order: column j of its lowered rows, (kernelRow · k +
        /// kernelColumn) · channels + channel, holds the original column channelsLastOrder[j],
        /// (channel · k + kernelRow) · k + kernelColumn: the permutation its packed weights get.
        var channelsLastOrder: [Int] {
            let k = kernelSize
            var order = [Int](repeating: 0, count: depth)
            for kernelRow in 0..<k {
                for kernelColumn in 0..<k {
                    for channel in 0..<channels {
                        order[(kernelRow * k + kernelColumn) * channels + channel] = (channel * k + kernelRow) * k + kernelColumn
                    }
                }
            }
            return order
        }

        /// Whether the channels-last codes are already the lowered rows (a 1×1, stride-1, unpadded
        /// convolution whose channel count is a whole number of 4-byte steps): no im2col at all.
        var channelsLastCodesAreRows: Bool { kernelSize == 1 && stride == 1 && padding == 0 && channels % 4 == 0 }

        /// Sizes the scratch buffers for `batch` samples (reallocating only when they grow).
        func prepare(batch: Int) {
            let rows = batch * pixels
            if columns.count < rows * depth {
                columns.baseAddress?.deallocate()
                columns = .allocate(capacity: max(1, rows * depth))
            }
            if products.count < rows * outputChannels {
                products.baseAddress?.deallocate()
                products = .allocate(capacity: max(1, rows * outputChannels))
            }
        }

        /// Sizes the static-int8 buffers for `batch` samples and fills the row parameters.
        func prepareQuantized(batch: Int, parameters: StaticActivationQuantization) {
            let rows = batch * pixels, sampleSize = channels * height * width
            if inputCodes.count < batch * sampleSize {
                inputCodes.baseAddress?.deallocate()
                channelsLastCodes.baseAddress?.deallocate()
                inputCodes = .allocate(capacity: max(1, batch * sampleSize))
                channelsLastCodes = .allocate(capacity: max(1, batch * sampleSize))
            }
            if quantizedColumns.count < rows * quantizedRowStride {
                quantizedColumns.baseAddress?.deallocate()
                quantizedColumns = .allocate(capacity: max(1, rows * quantizedRowStride))
            }
            if rowScales.count < rows {
                rowScales.baseAddress?.deallocate()
                rowZeroPoints.baseAddress?.deallocate()
                rowScales = .allocate(capacity: max(1, rows))
                rowZeroPoints = .allocate(capacity: max(1, rows))
                rowParameters = nil
            }
            if rowParameters != parameters {
                // Filled once per size and parameters, not on every run.
                rowScales.update(repeating: parameters.scale)
                rowZeroPoints.update(repeating: parameters.zeroPoint)
                rowParameters = parameters
            }
            if products.count < rows * outputChannels {
                products.baseAddress?.deallocate()
                products = .allocate(capacity: max(1, rows * outputChannels))
            }
        }

        /// The static-int8 lowering, returning its rows ([batch · pixels, quantizedRowStride] u8,
        /// columns in `channelsLastOrder`): the input quantized once with the calibrated parameters
        /// (`shrink_quantize_activations_static`: channels · height · width codes per sample, not
        /// the k² times as many of the lowered rows), transposed to channels-last
        /// (`shrink_transpose_u8`), then lowered by whole runs of channels
        /// (`shrink_im2col_u8_channels_last`, padding taps reading the zero point, the code of 0.0),
        /// or used as they are when `channelsLastCodesAreRows`. The codes equal quantizing `lower`'s
        /// fp32 rows (reordered), at a quarter of the bytes.
        func lowerQuantized(_ input: UnsafePointer<Float>, batch: Int, parameters: StaticActivationQuantization)
            -> UnsafePointer<UInt8> {
            let sampleSize = channels * height * width, rowStride = quantizedRowStride
            let codes = inputCodes.baseAddress!, channelsLast = channelsLastCodes.baseAddress!
            shrink_quantize_activations_static(1, batch * sampleSize, input, batch * sampleSize, parameters.scale,
                                               parameters.zeroPoint, codes, batch * sampleSize)
            for sample in 0..<batch {
                shrink_transpose_u8(channels, height * width, codes + sample * sampleSize, channelsLast + sample * sampleSize)
            }
            if channelsLastCodesAreRows { return UnsafePointer(channelsLast) }
            let columns = quantizedColumns.baseAddress!
            for sample in 0..<batch {
                shrink_im2col_u8_channels_last(channels, height, width, kernelSize, stride, padding,
                                               channelsLast + sample * sampleSize, UInt8(parameters.zeroPoint), rowStride,
                                               columns + sample * pixels * rowStride)
            }
            return UnsafePointer(columns)
        }

        /// The scalar twin of `lowerQuantized`: `lowerReference`'s fp32 rows, each value quantized
        /// by the reference rule, in `channelsLastOrder`, in rows of `quantizedRowStride` (zero
        /// past the depth).
        func lowerQuantizedReference(_ input: UnsafePointer<Float>, batch: Int,
                                     parameters: StaticActivationQuantization) -> [UInt8] {
            lowerReference(input, batch: batch)
            let rows = batch * pixels, depth = self.depth, rowStride = quantizedRowStride, order = channelsLastOrder
            let values = Array(UnsafeBufferPointer(start: columns.baseAddress!, count: rows * depth))
            let quantized = ReferenceKernels.quantizeActivations(values, rows: rows, columns: depth, parameters: parameters)
            var result = [UInt8](repeating: 0, count: rows * rowStride)
            for row in 0..<rows {
                for column in 0..<depth { result[row * rowStride + column] = quantized.codes[row * depth + order[column]] }
            }
            return result
        }

        /// im2col: input [batch, channels, height, width] → columns [batch · pixels, depth], row
        /// (sample · pixels + y · outputWidth + x), column (channel · k + kernelRow) · k + kernelColumn
        /// (the order of a [out, in, k, k] weight flattened to [out, depth]); padding reads 0.
        /// `shrink_im2col` per sample (contiguous kernel-row copies, 1×1 as a transpose).
        func lower(_ input: UnsafePointer<Float>, batch: Int) {
            let columns = self.columns.baseAddress!, depth = self.depth, pixels = self.pixels
            let sampleSize = channels * height * width
            for sample in 0..<batch {
                shrink_im2col(channels, height, width, kernelSize, stride, padding, input + sample * sampleSize,
                              columns + sample * pixels * depth)
            }
        }

        /// The scalar im2col `lower` must match (the reference twin of `shrink_im2col`).
        func lowerReference(_ input: UnsafePointer<Float>, batch: Int) {
            let columns = self.columns.baseAddress!, depth = self.depth, pixels = self.pixels
            let planeSize = height * width
            for sample in 0..<batch {
                let image = input + sample * channels * planeSize
                for outputRow in 0..<outputHeight {
                    for outputColumn in 0..<outputWidth {
                        var target = columns + ((sample * pixels) + outputRow * outputWidth + outputColumn) * depth
                        for channel in 0..<channels {
                            let plane = image + channel * planeSize
                            for kernelRow in 0..<kernelSize {
                                let y = outputRow * stride - padding + kernelRow
                                let rowInside = y >= 0 && y < height
                                for kernelColumn in 0..<kernelSize {
                                    let x = outputColumn * stride - padding + kernelColumn
                                    target.pointee = rowInside && x >= 0 && x < width ? plane[y * width + x] : 0
                                    target += 1
                                }
                            }
                        }
                    }
                }
            }
        }

        /// products [batch · pixels, outputChannels] → output [batch, outputChannels, pixels], with
        /// the step's output transform (folded BatchNorm scale and shift, ReLU) applied on the way:
        /// `shrink_transpose_transform` per sample (a blocked transpose).
        func scatter(batch: Int, into output: UnsafeMutablePointer<Float>, transform: OutputTransform) {
            let products = self.products.baseAddress!, pixels = self.pixels, outputChannels = self.outputChannels
            let (lower, upper) = transform.bounds
            func run(_ scale: UnsafePointer<Float>?, _ shift: UnsafePointer<Float>?) {
                for sample in 0..<batch {
                    shrink_transpose_transform(pixels, outputChannels, products + sample * pixels * outputChannels,
                                               output + sample * outputChannels * pixels, scale, shift, lower, upper)
                }
            }
            if let scale = transform.scale, let shift = transform.shift {
                scale.withUnsafeBufferPointer { scale in
                    shift.withUnsafeBufferPointer { shift in run(scale.baseAddress!, shift.baseAddress!) }
                }
            } else {
                run(nil, nil)
            }
        }

        /// The scalar scatter `scatter` must match (the reference twin of `shrink_transpose_transform`).
        func scatterReference(batch: Int, into output: UnsafeMutablePointer<Float>, transform: OutputTransform) {
            let products = self.products.baseAddress!, pixels = self.pixels, outputChannels = self.outputChannels
            for sample in 0..<batch {
                let source = products + sample * pixels * outputChannels
                let target = output + sample * outputChannels * pixels
                if transform.isEmpty {
                    for pixel in 0..<pixels {
                        for channel in 0..<outputChannels {
                            target[channel * pixels + pixel] = source[pixel * outputChannels + channel]
                        }
                    }
                    continue
                }
                for pixel in 0..<pixels {
                    for channel in 0..<outputChannels {
                        target[channel * pixels + pixel] = transform.value(source[pixel * outputChannels + channel], channel: channel)
                    }
                }
            }
        }
    }
}
