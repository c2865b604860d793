/// Depthwise convolution (groups == input channels, each input channel feeding `multiplier`
/// output channels) as direct loops over one channel's planes.
///
/// With one input channel per group, im2col + GEMM degenerates into `m = multiplier` products
/// that spend their time lowering. These loops instead copy each input plane once into a
/// scratch plane with zero margins (the left padding, and room on the right for whole blocks),
/// then compute 16 or 8 neighbouring outputs at a time in registers, summing every kernel tap
/// over them without bounds checks (column stride 1 reads contiguous inputs, stride 2 the even
/// lanes of 16, larger strides go one output at a time). Rows are computed into a scratch row
/// rounded up to whole blocks and copied out. The input gradient is gathered the same way from
/// zero-margined output-gradient planes when the column stride is 1 and scattered tap by tap
/// into a zero-margined plane otherwise; weight gradients are blocked dot products kept in registers until the end.
///
/// Work is split by input channel: a channel's output planes, input-gradient planes and
/// weight-gradient rows belong to it alone, so chunks never share memory and sums run in a fixed
/// order whatever the thread count.
///
/// Layouts: input `[batch, channels, height, width]`, weight `[channels·multiplier, 1,
/// kernelHeight, kernelWidth]`, output `[batch, channels·multiplier, outputHeight, outputWidth]`
/// (output channel `c·multiplier + j` reads input channel `c`).
struct DepthwiseConvolution {
    let geometry: ConvolutionGeometry
    let multiplier: Int
    let batch: Int

    var outputChannels: Int { geometry.channels * multiplier }

    /// The output width rounded up to whole 8-column blocks.
    private var blockedOutputWidth: Int { (geometry.outputWidth + 7) / 8 * 8 }
    /// The input width rounded up to whole 8-column blocks.
    private var blockedInputWidth: Int { (geometry.width + 7) / 8 * 8 }
    /// The row length of a zero-margined input plane: `padLeft` zeros, the row, then zeros up to
    /// everything a block of the rounded-up output row reads.
    private var paddedInputWidth: Int {
        let reach = (geometry.kernelWidth - 1) * geometry.dilationWidth
        return max(geometry.padLeft + geometry.width,
                   blockedOutputWidth * geometry.strideWidth + reach + 16)
    }
    /// The left margin of a zero-margined output-gradient row (column stride 1): the widest tap
    /// reach, so every gathered read stays inside the row.
    private var gradientMargin: Int { (geometry.kernelWidth - 1) * geometry.dilationWidth }
    private var paddedGradientWidth: Int {
        max(gradientMargin + geometry.outputWidth, blockedInputWidth + geometry.padLeft + gradientMargin)
    }

    @inline(__always)
    private static func load<V: SIMD>(_ pointer: UnsafePointer<Float>, as type: V.Type = V.self) -> V where V.Scalar == Float {
        UnsafeRawPointer(pointer).loadUnaligned(as: V.self)
    }

    @inline(__always)
    private static func store<V: SIMD>(_ vector: V, _ pointer: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: V.self)
    }

    /// `initial + Σ tap · x` for a block of `V.scalarCount` neighbouring columns: over `rows`
    /// kernel rows (`kernelRows`, reading `base + rowOffsets[row]`) and every kernel column `kc`
    /// (reading `step·kc` further on, contiguous lanes).
    @inline(__always)
    private static func windowSum<V: SIMD>(
        _ initial: V, base: UnsafePointer<Float>, rows: Int, kernelRows: UnsafePointer<Int>, rowOffsets: UnsafePointer<Int>,
        taps: UnsafePointer<Float>, kernelWidth: Int, step: Int
    ) -> V where V.Scalar == Float {
        var sum = initial
        for row in 0..<rows {
            let source = base + rowOffsets[row]
            let rowTaps = taps + kernelRows[row] &* kernelWidth
            for kernelColumn in 0..<kernelWidth {
                sum += V(repeating: rowTaps[kernelColumn]) * load(source + kernelColumn &* step, as: V.self)
            }
        }
        return sum
    }

    /// `windowSum` for a column stride of 2: each kernel column reads 16 contiguous inputs and
    /// keeps the even ones.
    @inline(__always)
    private static func windowSumStrideTwo(
        _ initial: SIMD8<Float>, base: UnsafePointer<Float>, rows: Int, kernelRows: UnsafePointer<Int>,
        rowOffsets: UnsafePointer<Int>, taps: UnsafePointer<Float>, kernelWidth: Int, step: Int
    ) -> SIMD8<Float> {
        var sum = initial
        for row in 0..<rows {
            let source = base + rowOffsets[row]
            let rowTaps = taps + kernelRows[row] &* kernelWidth
            for kernelColumn in 0..<kernelWidth {
                sum += SIMD8(repeating: rowTaps[kernelColumn]) * load(source + kernelColumn &* step, as: SIMD16<Float>.self).evenHalf
            }
        }
        return sum
    }

    /// Writes the kernel rows that output row `outputRow` reads inside the image into
    /// `kernelRows` and the offsets of the input rows they read (`rowStride` apart) into
    /// `rowOffsets`; returns how many.
    @inline(__always)
    private func inputRows(
        of outputRow: Int, rowStride: Int, kernelRows: UnsafeMutablePointer<Int>, rowOffsets: UnsafeMutablePointer<Int>
    ) -> Int {
        var count = 0
        for kernelRow in 0..<geometry.kernelHeight {
            let inputRow = outputRow &* geometry.strideHeight &- geometry.padTop &+ kernelRow &* geometry.dilationHeight
            guard inputRow >= 0, inputRow < geometry.height else { continue }
            kernelRows[count] = kernelRow
            rowOffsets[count] = inputRow &* rowStride
            count &+= 1
        }
        return count
    }

    /// Writes the kernel rows whose gradient reaches input row `inputRow` into `kernelRows` and
    /// the offsets of the output rows they come from (`rowStride` apart) into `rowOffsets`;
    /// returns how many.
    @inline(__always)
    private func outputRows(
        of inputRow: Int, rowStride: Int, kernelRows: UnsafeMutablePointer<Int>, rowOffsets: UnsafeMutablePointer<Int>
    ) -> Int {
        var count = 0
        for kernelRow in 0..<geometry.kernelHeight {
            let scaled = inputRow &+ geometry.padTop &- kernelRow &* geometry.dilationHeight
            guard scaled >= 0, scaled % geometry.strideHeight == 0 else { continue }
            let outputRow = scaled / geometry.strideHeight
            guard outputRow < geometry.outputHeight else { continue }
            kernelRows[count] = kernelRow
            rowOffsets[count] = outputRow &* rowStride
            count &+= 1
        }
        return count
    }

    /// Runs `body` with scratch memory: a zero-margined input plane, a row of
    /// `max(blockedOutputWidth, blockedInputWidth)` floats, and `2·kernelHeight` integers.
    @inline(__always)
    private func withScratch(
        _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Int>) -> Void
    ) {
        let planeCount = geometry.height * paddedInputWidth
        let rowCount = max(blockedOutputWidth, blockedInputWidth)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: planeCount + rowCount) { floats in
            let plane = floats.baseAddress!
            // Margins stay zero: copies only ever write the image columns.
            plane.initialize(repeating: 0, count: planeCount + rowCount)
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * geometry.kernelHeight) { integers in
                body(plane, plane + planeCount, integers.baseAddress!)
            }
        }
    }

    /// Copies the `[height, width]` plane `source` into the image columns of `padded`.
    @inline(__always)
    private func copyIntoMargins(_ source: UnsafePointer<Float>, _ padded: UnsafeMutablePointer<Float>) {
        let width = geometry.width, paddedWidth = paddedInputWidth, padLeft = geometry.padLeft
        for row in 0..<geometry.height {
            VectorLoops.copy(source + row &* width, to: padded + (row &* paddedWidth &+ padLeft), count: width)
        }
    }

    /// Computes the output planes of input channels `channels` for every sample.
    func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, channels: Range<Int>
    ) {
        let geometry = geometry
        let planeSize = geometry.inputPlaneSize, pixels = geometry.outputPixels
        let kernelWidth = geometry.kernelWidth, area = geometry.kernelArea
        let outputWidth = geometry.outputWidth, blockedWidth = blockedOutputWidth, paddedWidth = paddedInputWidth
        let strideWidth = geometry.strideWidth, dilationWidth = geometry.dilationWidth
        let outputChannels = outputChannels, inputChannels = geometry.channels
        withScratch { padded, rowBuffer, integers in
            let kernelRows = integers, rowOffsets = integers + geometry.kernelHeight
            for channel in channels {
                for sample in 0..<batch {
                    copyIntoMargins(input + (sample &* inputChannels &+ channel) &* planeSize, padded)
                    for copy in 0..<multiplier {
                        let outputChannel = channel &* multiplier &+ copy
                        let taps = weight + outputChannel &* area
                        let initial = bias?[outputChannel] ?? 0
                        let target = output + (sample &* outputChannels &+ outputChannel) &* pixels
                        for outputRow in 0..<geometry.outputHeight {
                            let rows = inputRows(of: outputRow, rowStride: paddedWidth, kernelRows: kernelRows, rowOffsets: rowOffsets)
                            var outputColumn = 0
                            func block<V: SIMD>(_ type: V.Type) where V.Scalar == Float {
                                let sum = Self.windowSum(
                                    V(repeating: initial), base: padded + outputColumn, rows: rows, kernelRows: kernelRows,
                                    rowOffsets: rowOffsets, taps: taps, kernelWidth: kernelWidth, step: dilationWidth)
                                Self.store(sum, rowBuffer + outputColumn)
                                outputColumn &+= V.scalarCount
                            }
                            switch strideWidth {
                            case 1:
                                while outputColumn &+ 16 <= blockedWidth { block(SIMD16<Float>.self) }
                                while outputColumn < blockedWidth { block(SIMD8<Float>.self) }
                            case 2:
                                while outputColumn < blockedWidth {
                                    let sum = Self.windowSumStrideTwo(
                                        SIMD8(repeating: initial), base: padded + outputColumn &* 2, rows: rows,
                                        kernelRows: kernelRows, rowOffsets: rowOffsets, taps: taps, kernelWidth: kernelWidth,
                                        step: dilationWidth)
                                    Self.store(sum, rowBuffer + outputColumn)
                                    outputColumn &+= 8
                                }
                            default:
                                for column in 0..<outputWidth {
                                    var sum = initial
                                    for row in 0..<rows {
                                        let rowTaps = taps + kernelRows[row] &* kernelWidth
                                        let source = padded + (rowOffsets[row] &+ column &* strideWidth)
                                        for kernelColumn in 0..<kernelWidth {
                                            sum += rowTaps[kernelColumn] * source[kernelColumn &* dilationWidth]
                                        }
                                    }
                                    rowBuffer[column] = sum
                                }
                            }
                            VectorLoops.copy(rowBuffer, to: target + outputRow &* outputWidth, count: outputWidth)
                        }
                    }
                }
            }
        }
    }

    /// Back-propagates through input channels `channels`: adds their weight (and bias)
    /// gradients into `weightGradient` (`biasGradient`) and, when `inputGradient` is given,
    /// adds their input gradient into it.
    func backward(
        input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>,
        biasGradient: UnsafeMutablePointer<Float>?, channels: Range<Int>
    ) {
        withScratch { padded, rowBuffer, integers in
            for channel in channels {
                accumulateParameterGradients(
                    input: input, outputGradient: outputGradient, channel: channel, weightGradient: weightGradient,
                    biasGradient: biasGradient, padded: padded, rowBuffer: rowBuffer, integers: integers)
            }
        }
        guard let inputGradient else { return }
        if geometry.strideWidth == 1 {
            gatherInputGradient(outputGradient: outputGradient, weight: weight, channels: channels, into: inputGradient)
        } else {
            scatterInputGradient(outputGradient: outputGradient, weight: weight, channels: channels, into: inputGradient)
        }
    }

    /// `dW[c·multiplier + j, kr, kc] += Σ dY · X` over the batch as blocked dot products of
    /// output-gradient rows (copied into `rowBuffer` with a zero tail) and zero-margined input
    /// rows; `dB += Σ dY`.
    private func accumulateParameterGradients(
        input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, channel: Int,
        weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?,
        padded: UnsafeMutablePointer<Float>, rowBuffer: UnsafeMutablePointer<Float>, integers: UnsafeMutablePointer<Int>
    ) {
        let geometry = geometry, multiplier = multiplier
        let planeSize = geometry.inputPlaneSize, pixels = geometry.outputPixels
        let kernelWidth = geometry.kernelWidth, area = geometry.kernelArea
        let outputWidth = geometry.outputWidth, blockedWidth = blockedOutputWidth, paddedWidth = paddedInputWidth
        let strideWidth = geometry.strideWidth, dilationWidth = geometry.dilationWidth
        let outputChannels = outputChannels, inputChannels = geometry.channels
        let kernelRows = integers, rowOffsets = integers + geometry.kernelHeight
        let sumCount = area &* multiplier
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: sumCount) { sumBuffer in
            let sums = sumBuffer.baseAddress!
            sums.initialize(repeating: SIMD8(), count: sumCount)
            var biasSums = [Float](repeating: 0, count: multiplier)
            // The row buffer's tail past the output width stays zero.
            rowBuffer.update(repeating: 0, count: blockedWidth)
            for sample in 0..<batch {
                copyIntoMargins(input + (sample &* inputChannels &+ channel) &* planeSize, padded)
                for copy in 0..<multiplier {
                    let gradientPlane = outputGradient + (sample &* outputChannels &+ channel &* multiplier &+ copy) &* pixels
                    if biasGradient != nil { biasSums[copy] += VectorLoops.sum(gradientPlane, count: pixels) }
                    let copySums = sums + copy &* area
                    for outputRow in 0..<geometry.outputHeight {
                        VectorLoops.copy(gradientPlane + outputRow &* outputWidth, to: rowBuffer, count: outputWidth)
                        let rows = inputRows(of: outputRow, rowStride: paddedWidth, kernelRows: kernelRows, rowOffsets: rowOffsets)
                        for row in 0..<rows {
                            let rowSums = copySums + kernelRows[row] &* kernelWidth
                            for kernelColumn in 0..<kernelWidth {
                                let source = padded + (rowOffsets[row] &+ kernelColumn &* dilationWidth)
                                var column = 0
                                switch strideWidth {
                                case 1:
                                    var wide = SIMD16<Float>()
                                    while column &+ 16 <= blockedWidth {
                                        wide += Self.load(rowBuffer + column, as: SIMD16<Float>.self)
                                            * Self.load(source + column, as: SIMD16<Float>.self)
                                        column &+= 16
                                    }
                                    var sum = rowSums[kernelColumn] + wide.lowHalf + wide.highHalf
                                    if column < blockedWidth {
                                        sum += Self.load(rowBuffer + column, as: SIMD8<Float>.self)
                                            * Self.load(source + column, as: SIMD8<Float>.self)
                                    }
                                    rowSums[kernelColumn] = sum
                                case 2:
                                    var sum = rowSums[kernelColumn]
                                    while column < blockedWidth {
                                        sum += Self.load(rowBuffer + column, as: SIMD8<Float>.self)
                                            * Self.load(source + column &* 2, as: SIMD16<Float>.self).evenHalf
                                        column &+= 8
                                    }
                                    rowSums[kernelColumn] = sum
                                default:
                                    var sum: Float = 0
                                    for column in 0..<outputWidth { sum += rowBuffer[column] * source[column &* strideWidth] }
                                    rowSums[kernelColumn][0] += sum
                                }
                            }
                        }
                    }
                }
            }
            for copy in 0..<multiplier {
                let outputChannel = channel &* multiplier &+ copy
                let target = weightGradient + outputChannel &* area
                for tap in 0..<area { target[tap] += sums[copy &* area &+ tap].sum() }
                biasGradient?[outputChannel] += biasSums[copy]
            }
        }
    }

    /// Column stride 1: each input-gradient element gathers `Σ tap · dY` over the copies and
    /// kernel taps that read it, 16 or 8 neighbouring columns at a time, from output-gradient
    /// planes copied into zero-margined scratch rows.
    private func gatherInputGradient(
        outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>, channels: Range<Int>,
        into inputGradient: UnsafeMutablePointer<Float>
    ) {
        let geometry = geometry, multiplier = multiplier
        let planeSize = geometry.inputPlaneSize, pixels = geometry.outputPixels
        let kernelWidth = geometry.kernelWidth, area = geometry.kernelArea
        let width = geometry.width, outputWidth = geometry.outputWidth, blockedWidth = blockedInputWidth
        let dilationWidth = geometry.dilationWidth
        let margin = gradientMargin, paddedWidth = paddedGradientWidth
        let paddedPlaneSize = geometry.outputHeight &* paddedWidth
        let outputChannels = outputChannels, inputChannels = geometry.channels
        let scratchCount = multiplier &* paddedPlaneSize &+ blockedWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { floats in
            let paddedPlanes = floats.baseAddress!, rowBuffer = paddedPlanes + multiplier &* paddedPlaneSize
            paddedPlanes.initialize(repeating: 0, count: scratchCount)
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * geometry.kernelHeight) { integers in
                let kernelRows = integers.baseAddress!, rowOffsets = kernelRows + geometry.kernelHeight
                for channel in channels {
                    let taps = weight + channel &* multiplier &* area
                    for sample in 0..<batch {
                        // The copies' output-gradient planes are consecutive.
                        let gradientPlanes = outputGradient + (sample &* outputChannels &+ channel &* multiplier) &* pixels
                        for copy in 0..<multiplier {
                            for outputRow in 0..<geometry.outputHeight {
                                VectorLoops.copy(
                                    gradientPlanes + (copy &* pixels &+ outputRow &* outputWidth),
                                    to: paddedPlanes + (copy &* paddedPlaneSize &+ outputRow &* paddedWidth &+ margin),
                                    count: outputWidth)
                            }
                        }
                        let target = inputGradient + (sample &* inputChannels &+ channel) &* planeSize
                        for inputRow in 0..<geometry.height {
                            let rows = outputRows(of: inputRow, rowStride: paddedWidth, kernelRows: kernelRows, rowOffsets: rowOffsets)
                            guard rows > 0 else { continue }
                            // Input column x reads output column x + padLeft − kc·dilation, at
                            // x + padLeft + margin − kc·dilation in the scratch row.
                            let base = paddedPlanes + (geometry.padLeft &+ margin)
                            var inputColumn = 0
                            func block<V: SIMD>(_ type: V.Type) where V.Scalar == Float {
                                var sum = V()
                                for copy in 0..<multiplier {
                                    sum = Self.windowSum(
                                        sum, base: base + (copy &* paddedPlaneSize &+ inputColumn), rows: rows,
                                        kernelRows: kernelRows, rowOffsets: rowOffsets, taps: taps + copy &* area,
                                        kernelWidth: kernelWidth, step: -dilationWidth)
                                }
                                Self.store(sum, rowBuffer + inputColumn)
                                inputColumn &+= V.scalarCount
                            }
                            while inputColumn &+ 16 <= blockedWidth { block(SIMD16<Float>.self) }
                            while inputColumn < blockedWidth { block(SIMD8<Float>.self) }
                            VectorLoops.add(rowBuffer, to: target + inputRow &* width, count: width)
                        }
                    }
                }
            }
        }
    }

    /// Column strides above 1: every tap adds `tap · dY` into the input-gradient elements it
    /// read, in a zero-margined scratch plane (8 outputs at a time into the even lanes of 16
    /// inputs for stride 2, one at a time beyond), whose image columns are then added into the
    /// input gradient.
    private func scatterInputGradient(
        outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>, channels: Range<Int>,
        into inputGradient: UnsafeMutablePointer<Float>
    ) {
        let geometry = geometry, multiplier = multiplier
        let planeSize = geometry.inputPlaneSize, pixels = geometry.outputPixels
        let kernelWidth = geometry.kernelWidth, area = geometry.kernelArea
        let width = geometry.width, outputWidth = geometry.outputWidth
        let blockedWidth = blockedOutputWidth, paddedWidth = paddedInputWidth
        let strideWidth = geometry.strideWidth, dilationWidth = geometry.dilationWidth, padLeft = geometry.padLeft
        let outputChannels = outputChannels, inputChannels = geometry.channels
        let paddedPlaneSize = geometry.height &* paddedWidth
        withScratch { padded, rowBuffer, integers in
            let kernelRows = integers, rowOffsets = integers + geometry.kernelHeight
            // The row buffer's tail past the output width stays zero.
            rowBuffer.update(repeating: 0, count: blockedWidth)
            for channel in channels {
                for sample in 0..<batch {
                    padded.update(repeating: 0, count: paddedPlaneSize)
                    for copy in 0..<multiplier {
                        let outputChannel = channel &* multiplier &+ copy
                        let taps = weight + outputChannel &* area
                        let gradientPlane = outputGradient + (sample &* outputChannels &+ outputChannel) &* pixels
                        for outputRow in 0..<geometry.outputHeight {
                            VectorLoops.copy(gradientPlane + outputRow &* outputWidth, to: rowBuffer, count: outputWidth)
                            let rows = inputRows(of: outputRow, rowStride: paddedWidth, kernelRows: kernelRows, rowOffsets: rowOffsets)
                            for row in 0..<rows {
                                let rowTaps = taps + kernelRows[row] &* kernelWidth
                                for kernelColumn in 0..<kernelWidth {
                                    let tap = rowTaps[kernelColumn]
                                    let target = padded + (rowOffsets[row] &+ kernelColumn &* dilationWidth)
                                    if strideWidth == 2 {
                                        let scale = SIMD8<Float>(repeating: tap)
                                        var column = 0
                                        while column < blockedWidth {
                                            var spread = SIMD16<Float>()
                                            spread.evenHalf = scale * Self.load(rowBuffer + column, as: SIMD8<Float>.self)
                                            let block = target + column &* 2
                                            Self.store(Self.load(block, as: SIMD16<Float>.self) + spread, block)
                                            column &+= 8
                                        }
                                    } else {
                                        for column in 0..<outputWidth { target[column &* strideWidth] += tap * rowBuffer[column] }
                                    }
                                }
                            }
                        }
                    }
                    let target = inputGradient + (sample &* inputChannels &+ channel) &* planeSize
                    for row in 0..<geometry.height {
                        VectorLoops.add(padded + (row &* paddedWidth &+ padLeft), to: target + row &* width, count: width)
                    }
                }
            }
        }
    }
}
