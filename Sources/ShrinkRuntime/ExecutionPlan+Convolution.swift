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
        /// The static-int8 path's buffers: the input's u8 codes as stored ([batch, channels, h, w]),
        /// the padded channels-last image the kernel reads in place, and each output row's scale
        /// and zero point (the calibrated pair, repeated).
        private(set) var inputCodes = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
        private(set) var imageCodes = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
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
            imageCodes.baseAddress?.deallocate()
            rowScales.baseAddress?.deallocate()
            rowZeroPoints.baseAddress?.deallocate()
        }

        /// Output pixels per sample and the depth of one lowered row (channels · kernelSize²).
        var pixels: Int { outputHeight * outputWidth }
        var depth: Int { channels * kernelSize * kernelSize }
        /// The padded channels-last image of the static-int8 path (the spatial padding inside it).
        var imageSize: Int { (height + 2 * padding) * (width + 2 * padding) * channels }

        /// Where the static-int8 kernel reads its windows (`Int8ConvolutionGeometry`).
        var int8Geometry: Int8ConvolutionGeometry {
            get throws(RuntimeKernelError) {
                try Int8ConvolutionGeometry(outputHeight: outputHeight, outputWidth: outputWidth, imageWidth: width + 2 * padding,
                                            channels: channels, kernelSize: kernelSize, stride: stride)
            }
        }

        /// The static-int8 path's column order: column j of a window, (kernelRow · k + kernelColumn)
        /// · channels + channel, is the stored weight column int8ColumnOrder[j], (channel · k +
        /// kernelRow) · k + kernelColumn: the permutation its packed weights get.
        var int8ColumnOrder: [Int] {
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

        /// Bytes of lowered rows one chunk of samples may take: a quarter of a 1 MiB L2, so the
        /// rows a kernel reads were just written and are still in cache (lowering a whole batch
        /// of 64 LeNet-5 images wrote 3.7 MB for conv1 and 8.2 MB for conv2 before reading any).
        static let chunkBytes = 256 * 1024

        /// Samples the sparse kernel lowers and multiplies at a time: about 512 KiB of transposed
        /// im2col (half of a 1 MiB L2; every non-zero of a column reads its row), so each
        /// non-zero's multiply-add spans several samples' pixels (an 8×8 stage has 64 per sample).
        var sparseSamplesPerChunk: Int { max(1, (512 * 1024) / max(1, pixels * depth * MemoryLayout<Float>.stride)) }

        /// Samples lowered and multiplied at a time (at least one).
        var samplesPerChunk: Int { max(1, Self.chunkBytes / max(1, pixels * depth * MemoryLayout<Float>.stride)) }

        /// Sizes the scratch buffers for `batch` samples lowered `chunk` at a time (reallocating
        /// only when they grow).
        func prepare(batch: Int, chunk: Int? = nil) {
            Self.grow(&columns, to: min(batch, chunk ?? batch) * pixels * depth)
            Self.grow(&products, to: batch * pixels * outputChannels)
        }

        /// Reallocates `buffer` when it holds fewer than `count` elements (contents not kept);
        /// returns whether it did.
        @discardableResult
        static func grow<Element>(_ buffer: inout UnsafeMutableBufferPointer<Element>, to count: Int) -> Bool {
            guard buffer.count < count else { return false }
            buffer.baseAddress?.deallocate()
            buffer = .allocate(capacity: max(1, count))
            return true
        }

        /// Sizes the static-int8 buffers for `batch` samples and fills the row parameters.
        func prepareQuantized(batch: Int, parameters: StaticActivationQuantization) {
            let rows = batch * pixels, sampleSize = channels * height * width
            Self.grow(&inputCodes, to: batch * sampleSize)
            Self.grow(&imageCodes, to: batch * imageSize)
            Self.grow(&products, to: rows * outputChannels)
            let grewScales = Self.grow(&rowScales, to: rows), grewZeroPoints = Self.grow(&rowZeroPoints, to: rows)
            if grewScales || grewZeroPoints { rowParameters = nil }
            if rowParameters != parameters {
                // Filled once per size and parameters, not on every run.
                rowScales.update(repeating: parameters.scale)
                rowZeroPoints.update(repeating: parameters.zeroPoint)
                rowParameters = parameters
            }
        }

        /// The static-int8 input: quantized once with the calibrated parameters
        /// (`shrink_quantize_activations_static`: channels · height · width codes per sample, not
        /// the k² times as many of lowered rows), then laid out as the padded channels-last image
        /// the kernel reads its windows from in place (`shrink_pad_channels_last_u8`; padding
        /// reads the zero point, the code of 0.0). Returns the images, `imageSize` bytes apart.
        func lowerQuantized(_ input: UnsafePointer<Float>, batch: Int, parameters: StaticActivationQuantization)
            -> UnsafePointer<UInt8> {
            let sampleSize = channels * height * width
            let codes = inputCodes.baseAddress!, image = imageCodes.baseAddress!
            shrink_quantize_activations_static(1, batch * sampleSize, input, batch * sampleSize, parameters.scale,
                                               parameters.zeroPoint, codes, batch * sampleSize)
            for sample in 0..<batch {
                shrink_pad_channels_last_u8(channels, height, width, padding, codes + sample * sampleSize,
                                            UInt8(parameters.zeroPoint), image + sample * imageSize)
            }
            return UnsafePointer(image)
        }

        /// The scalar twin of `lowerQuantized`: each input value quantized by the reference rule
        /// and placed in the padded channels-last image, the padding the zero point.
        func lowerQuantizedReference(_ input: UnsafePointer<Float>, batch: Int,
                                     parameters: StaticActivationQuantization) -> [UInt8] {
            let sampleSize = channels * height * width, imageWidth = width + 2 * padding
            let values = Array(UnsafeBufferPointer(start: input, count: batch * sampleSize))
            let codes = ReferenceKernels.quantizeActivations(values, rows: batch, columns: sampleSize, parameters: parameters).codes
            var image = [UInt8](repeating: UInt8(parameters.zeroPoint), count: batch * imageSize)
            for sample in 0..<batch {
                for channel in 0..<channels {
                    for y in 0..<height {
                        for x in 0..<width {
                            image[sample * imageSize + ((y + padding) * imageWidth + x + padding) * channels + channel] =
                                codes[sample * sampleSize + (channel * height + y) * width + x]
                        }
                    }
                }
            }
            return image
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

        /// im2col transposed, for the sparse kernel: input [batch, channels, height, width] →
        /// columns [depth, batch · pixels], row (channel · k + kernelRow) · k + kernelColumn, column
        /// sample · pixels + y · outputWidth + x; padding reads 0 (`shrink_lower_samples`, whose
        /// twin is ShrinkNN's `ConvolutionGeometry.lowerReference`).
        func lowerTransposed(_ input: UnsafePointer<Float>, batch: Int) {
            var geometry = shrink_lowering_geometry(
                channels: channels, height: height, width: width, kernel_height: kernelSize, kernel_width: kernelSize,
                stride_height: stride, stride_width: stride, dilation_height: 1, dilation_width: 1, pad_top: padding,
                pad_left: padding, output_height: outputHeight, output_width: outputWidth)
            shrink_lower_samples(&geometry, batch, input, columns.baseAddress!)
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
