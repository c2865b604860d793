/// Depthwise convolution (groups == input channels, each input channel feeding `multiplier`
/// output channels) as direct loops over one channel's planes.
///
/// With one input channel per group, im2col + GEMM degenerates into `m = multiplier` products
/// that spend their time lowering. These loops instead compute 8 neighbouring outputs at a time
/// in a register, summing every kernel tap over them (outputs whose window leaves the image, at
/// the left and right edges, are summed one by one with bounds checks). The input gradient is
/// gathered the same way when the column stride is 1 and scattered tap by tap otherwise; weight
/// gradients are 8-wide dot products kept in registers until the end.
///
/// Work is split by input channel: a channel's output planes, input-gradient planes and
/// weight-gradient rows belong to it alone, so chunks never share memory and sums run in a fixed
/// order whatever the thread count.
///
/// Layouts: input `[batch, channels, height, width]`, weight `[channels·multiplier, 1,
/// kernelHeight, kernelWidth]`, output `[batch, channels·multiplier, outputHeight, outputWidth]`
/// (output channel `c·multiplier + j` reads input channel `c`).
struct DepthwiseConvolution {
    typealias Vector = SIMD8<Float>

    let geometry: ConvolutionGeometry
    let multiplier: Int
    let batch: Int

    var outputChannels: Int { geometry.channels * multiplier }

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

    /// The output columns every kernel column reads inside the image (possibly empty).
    private var interiorOutputColumns: (lower: Int, upper: Int) {
        var lower = 0, upper = geometry.outputWidth
        for kernelColumn in 0..<geometry.kernelWidth {
            let valid = geometry.validOutputColumns(kernelColumn: kernelColumn)
            lower = max(lower, valid.lower)
            upper = min(upper, valid.upper)
        }
        return (lower, max(lower, upper))
    }

    /// The input columns whose gradient every kernel column gathers from inside the output
    /// (column stride 1; possibly empty).
    private var interiorInputColumns: (lower: Int, upper: Int) {
        let width = geometry.width
        let lower = min(width, max(0, (geometry.kernelWidth - 1) * geometry.dilationWidth - geometry.padLeft))
        return (lower, max(lower, min(width, geometry.outputWidth - geometry.padLeft)))
    }

    /// Writes the kernel rows that output row `outputRow` reads inside the image into
    /// `kernelRows` and the offsets of the input rows they read into `rowOffsets`; returns how many.
    @inline(__always)
    private func inputRows(
        of outputRow: Int, kernelRows: UnsafeMutablePointer<Int>, rowOffsets: UnsafeMutablePointer<Int>
    ) -> Int {
        var count = 0
        for kernelRow in 0..<geometry.kernelHeight {
            let inputRow = outputRow &* geometry.strideHeight &- geometry.padTop &+ kernelRow &* geometry.dilationHeight
            guard inputRow >= 0, inputRow < geometry.height else { continue }
            kernelRows[count] = kernelRow
            rowOffsets[count] = inputRow &* geometry.width
            count &+= 1
        }
        return count
    }

    /// Writes the kernel rows whose gradient reaches input row `inputRow` into `kernelRows` and
    /// the offsets of the output rows they come from into `rowOffsets`; returns how many.
    @inline(__always)
    private func outputRows(
        of inputRow: Int, kernelRows: UnsafeMutablePointer<Int>, rowOffsets: UnsafeMutablePointer<Int>
    ) -> Int {
        var count = 0
        for kernelRow in 0..<geometry.kernelHeight {
            let scaled = inputRow &+ geometry.padTop &- kernelRow &* geometry.dilationHeight
            guard scaled >= 0, scaled % geometry.strideHeight == 0 else { continue }
            let outputRow = scaled / geometry.strideHeight
            guard outputRow < geometry.outputHeight else { continue }
            kernelRows[count] = kernelRow
            rowOffsets[count] = outputRow &* geometry.outputWidth
            count &+= 1
        }
        return count
    }

    /// Computes the output planes of input channels `channels` for every sample.
    func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, channels: Range<Int>
    ) {
        let geometry = geometry
        let planeSize = geometry.inputPlaneSize, pixels = geometry.outputPixels
        let kernelWidth = geometry.kernelWidth, area = geometry.kernelArea
        let width = geometry.width, outputWidth = geometry.outputWidth
        let strideWidth = geometry.strideWidth, dilationWidth = geometry.dilationWidth, padLeft = geometry.padLeft
        let outputChannels = outputChannels, inputChannels = geometry.channels
        let (interiorLower, interiorUpper) = interiorOutputColumns
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * geometry.kernelHeight) { rowBuffer in
            let kernelRows = rowBuffer.baseAddress!, rowOffsets = kernelRows + geometry.kernelHeight
            for channel in channels {
                for copy in 0..<multiplier {
                    let outputChannel = channel &* multiplier &+ copy
                    let taps = weight + outputChannel &* area
                    let initial = bias?[outputChannel] ?? 0
                    for sample in 0..<batch {
                        let plane = input + (sample &* inputChannels &+ channel) &* planeSize
                        let target = output + (sample &* outputChannels &+ outputChannel) &* pixels
                        for outputRow in 0..<geometry.outputHeight {
                            let rows = inputRows(of: outputRow, kernelRows: kernelRows, rowOffsets: rowOffsets)
                            let rowTarget = target + outputRow &* outputWidth
                            // Edge columns: windows partly outside the image.
                            func edge(_ outputColumn: Int) {
                                var sum = initial
                                let first = outputColumn &* strideWidth &- padLeft
                                for row in 0..<rows {
                                    let rowTaps = taps + kernelRows[row] &* kernelWidth
                                    let rowSource = plane + rowOffsets[row]
                                    for kernelColumn in 0..<kernelWidth {
                                        let column = first &+ kernelColumn &* dilationWidth
                                        if column >= 0 && column < width { sum += rowTaps[kernelColumn] * rowSource[column] }
                                    }
                                }
                                rowTarget[outputColumn] = sum
                            }
                            for outputColumn in 0..<interiorLower { edge(outputColumn) }
                            for outputColumn in interiorUpper..<outputWidth { edge(outputColumn) }
                            // Interior columns: 16 or 8 at a time when the column stride is 1, 8 at
                            // a time from 16 contiguous inputs when it is 2 (while they stay in the row).
                            var outputColumn = interiorLower
                            func block<V: SIMD>(_ type: V.Type) where V.Scalar == Float {
                                let sum = Self.windowSum(
                                    V(repeating: initial), base: plane + (outputColumn &- padLeft), rows: rows,
                                    kernelRows: kernelRows, rowOffsets: rowOffsets, taps: taps, kernelWidth: kernelWidth,
                                    step: dilationWidth)
                                Self.store(sum, rowTarget + outputColumn)
                                outputColumn &+= V.scalarCount
                            }
                            if strideWidth == 1 {
                                while outputColumn &+ 16 <= interiorUpper { block(SIMD16<Float>.self) }
                                while outputColumn &+ 8 <= interiorUpper { block(SIMD8<Float>.self) }
                            } else if strideWidth == 2 {
                                let lastRead = (kernelWidth &- 1) &* dilationWidth &- padLeft &+ 15
                                while outputColumn &+ 8 <= interiorUpper && outputColumn &* 2 &+ lastRead < width {
                                    let sum = Self.windowSumStrideTwo(
                                        SIMD8(repeating: initial), base: plane + (outputColumn &* 2 &- padLeft), rows: rows,
                                        kernelRows: kernelRows, rowOffsets: rowOffsets, taps: taps, kernelWidth: kernelWidth,
                                        step: dilationWidth)
                                    Self.store(sum, rowTarget + outputColumn)
                                    outputColumn &+= 8
                                }
                            }
                            while outputColumn < interiorUpper {
                                var sum = initial
                                let first = outputColumn &* strideWidth &- padLeft
                                for row in 0..<rows {
                                    let rowTaps = taps + kernelRows[row] &* kernelWidth
                                    let source = plane + (rowOffsets[row] &+ first)
                                    for kernelColumn in 0..<kernelWidth {
                                        sum += rowTaps[kernelColumn] * source[kernelColumn &* dilationWidth]
                                    }
                                }
                                rowTarget[outputColumn] = sum
                                outputColumn &+= 1
                            }
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
        for channel in channels {
            for copy in 0..<multiplier {
                accumulateParameterGradients(
                    input: input, outputGradient: outputGradient, channel: channel, outputChannel: channel * multiplier + copy,
                    weightGradient: weightGradient, biasGradient: biasGradient)
            }
            guard let inputGradient else { continue }
            if geometry.strideWidth == 1 {
                gatherInputGradient(outputGradient: outputGradient, weight: weight, channel: channel, into: inputGradient)
            } else {
                scatterInputGradient(outputGradient: outputGradient, weight: weight, channel: channel, into: inputGradient)
            }
        }
    }

    /// `dW[outputChannel, kr, kc] += Σ dY · X` over the batch, as 8-wide partial sums kept
    /// per tap until the end; `dB[outputChannel] += Σ dY`.
    private func accumulateParameterGradients(
        input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, channel: Int, outputChannel: Int,
        weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?
    ) {
        let geometry = geometry
        let planeSize = geometry.inputPlaneSize, pixels = geometry.outputPixels
        let kernelWidth = geometry.kernelWidth, area = geometry.kernelArea
        let outputWidth = geometry.outputWidth
        let strideWidth = geometry.strideWidth, dilationWidth = geometry.dilationWidth, padLeft = geometry.padLeft
        let outputChannels = outputChannels, inputChannels = geometry.channels
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * geometry.kernelHeight + 2 * kernelWidth) { buffer in
            let kernelRows = buffer.baseAddress!, rowOffsets = kernelRows + geometry.kernelHeight
            let bounds = rowOffsets + geometry.kernelHeight
            for kernelColumn in 0..<kernelWidth {
                let valid = geometry.validOutputColumns(kernelColumn: kernelColumn)
                bounds[2 &* kernelColumn] = valid.lower
                bounds[2 &* kernelColumn &+ 1] = valid.upper
            }
            withUnsafeTemporaryAllocation(of: Vector.self, capacity: area) { vectorBuffer in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: area) { scalarBuffer in
                    let vectorSums = vectorBuffer.baseAddress!, scalarSums = scalarBuffer.baseAddress!
                    vectorSums.initialize(repeating: Vector(), count: area)
                    scalarSums.initialize(repeating: 0, count: area)
                    var biasSum: Float = 0
                    for sample in 0..<batch {
                        let plane = input + (sample &* inputChannels &+ channel) &* planeSize
                        let gradientPlane = outputGradient + (sample &* outputChannels &+ outputChannel) &* pixels
                        if biasGradient != nil { biasSum += VectorLoops.sum(gradientPlane, count: pixels) }
                        for outputRow in 0..<geometry.outputHeight {
                            let rowGradient = gradientPlane + outputRow &* outputWidth
                            let rows = inputRows(of: outputRow, kernelRows: kernelRows, rowOffsets: rowOffsets)
                            for row in 0..<rows {
                                let rowTap = kernelRows[row] &* kernelWidth
                                for kernelColumn in 0..<kernelWidth {
                                    let lower = bounds[2 &* kernelColumn], upper = bounds[2 &* kernelColumn &+ 1]
                                    let tap = rowTap &+ kernelColumn
                                    let source = plane + (rowOffsets[row] &+ kernelColumn &* dilationWidth &- padLeft)
                                    var outputColumn = lower
                                    if strideWidth == 1 {
                                        var wide = SIMD16<Float>()
                                        while outputColumn &+ 16 <= upper {
                                            wide += Self.load(rowGradient + outputColumn, as: SIMD16<Float>.self)
                                                * Self.load(source + outputColumn, as: SIMD16<Float>.self)
                                            outputColumn &+= 16
                                        }
                                        var sum = vectorSums[tap] + wide.lowHalf + wide.highHalf
                                        while outputColumn &+ 8 <= upper {
                                            sum += Self.load(rowGradient + outputColumn, as: Vector.self)
                                                * Self.load(source + outputColumn, as: Vector.self)
                                            outputColumn &+= 8
                                        }
                                        vectorSums[tap] = sum
                                    } else if strideWidth == 2 {
                                        // 16 contiguous inputs, even lanes, while they stay in the row.
                                        var sum = vectorSums[tap]
                                        let firstColumn = kernelColumn &* dilationWidth &- padLeft
                                        while outputColumn &+ 8 <= upper && firstColumn &+ outputColumn &* 2 &+ 15 < geometry.width {
                                            sum += Self.load(rowGradient + outputColumn, as: Vector.self)
                                                * Self.load(source + outputColumn &* 2, as: SIMD16<Float>.self).evenHalf
                                            outputColumn &+= 8
                                        }
                                        vectorSums[tap] = sum
                                    }
                                    var sum: Float = 0
                                    while outputColumn < upper {
                                        sum += rowGradient[outputColumn] * source[outputColumn &* strideWidth]
                                        outputColumn &+= 1
                                    }
                                    scalarSums[tap] += sum
                                }
                            }
                        }
                    }
                    let target = weightGradient + outputChannel &* area
                    for tap in 0..<area { target[tap] += vectorSums[tap].sum() + scalarSums[tap] }
                    biasGradient?[outputChannel] += biasSum
                }
            }
        }
    }

    /// Column stride 1: each input-gradient element gathers `Σ tap · dY` over the copies and
    /// kernel taps that read it, 8 neighbouring columns at a time in the interior.
    private func gatherInputGradient(
        outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>, channel: Int,
        into inputGradient: UnsafeMutablePointer<Float>
    ) {
        let geometry = geometry, multiplier = multiplier
        let planeSize = geometry.inputPlaneSize, pixels = geometry.outputPixels
        let kernelWidth = geometry.kernelWidth, area = geometry.kernelArea
        let width = geometry.width, outputWidth = geometry.outputWidth
        let dilationWidth = geometry.dilationWidth, padLeft = geometry.padLeft
        let outputChannels = outputChannels, inputChannels = geometry.channels
        let (interiorLower, interiorUpper) = interiorInputColumns
        let taps = weight + channel &* multiplier &* area
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * geometry.kernelHeight) { rowBuffer in
            let kernelRows = rowBuffer.baseAddress!, rowOffsets = kernelRows + geometry.kernelHeight
            for sample in 0..<batch {
                let target = inputGradient + (sample &* inputChannels &+ channel) &* planeSize
                // The copies' output-gradient planes are consecutive.
                let gradientPlanes = outputGradient + (sample &* outputChannels &+ channel &* multiplier) &* pixels
                for inputRow in 0..<geometry.height {
                    let rows = outputRows(of: inputRow, kernelRows: kernelRows, rowOffsets: rowOffsets)
                    guard rows > 0 else { continue }
                    let rowTarget = target + inputRow &* width
                    // Edge columns: some taps fall outside the output.
                    func edge(_ inputColumn: Int) {
                        var sum: Float = 0
                        let first = inputColumn &+ padLeft
                        for copy in 0..<multiplier {
                            let plane = gradientPlanes + copy &* pixels
                            let copyTaps = taps + copy &* area
                            for row in 0..<rows {
                                let rowTaps = copyTaps + kernelRows[row] &* kernelWidth
                                for kernelColumn in 0..<kernelWidth {
                                    let outputColumn = first &- kernelColumn &* dilationWidth
                                    if outputColumn >= 0 && outputColumn < outputWidth {
                                        sum += rowTaps[kernelColumn] * plane[rowOffsets[row] &+ outputColumn]
                                    }
                                }
                            }
                        }
                        rowTarget[inputColumn] += sum
                    }
                    for inputColumn in 0..<interiorLower { edge(inputColumn) }
                    for inputColumn in interiorUpper..<width { edge(inputColumn) }
                    var inputColumn = interiorLower
                    func block<V: SIMD>(_ type: V.Type) where V.Scalar == Float {
                        var sum: V = Self.load(rowTarget + inputColumn)
                        for copy in 0..<multiplier {
                            sum = Self.windowSum(
                                sum, base: gradientPlanes + (copy &* pixels &+ inputColumn &+ padLeft), rows: rows,
                                kernelRows: kernelRows, rowOffsets: rowOffsets, taps: taps + copy &* area,
                                kernelWidth: kernelWidth, step: -dilationWidth)
                        }
                        Self.store(sum, rowTarget + inputColumn)
                        inputColumn &+= V.scalarCount
                    }
                    while inputColumn &+ 16 <= interiorUpper { block(SIMD16<Float>.self) }
                    while inputColumn &+ 8 <= interiorUpper { block(SIMD8<Float>.self) }
                    while inputColumn < interiorUpper {
                        var sum: Float = 0
                        for copy in 0..<multiplier {
                            let plane = gradientPlanes + copy &* pixels
                            let copyTaps = taps + copy &* area
                            for row in 0..<rows {
                                let source = plane + (rowOffsets[row] &+ inputColumn &+ padLeft)
                                let rowTaps = copyTaps + kernelRows[row] &* kernelWidth
                                for kernelColumn in 0..<kernelWidth {
                                    sum += rowTaps[kernelColumn] * source[-(kernelColumn &* dilationWidth)]
                                }
                            }
                        }
                        rowTarget[inputColumn] += sum
                        inputColumn &+= 1
                    }
                }
            }
        }
    }

    /// Column strides above 1: every tap adds `tap · dY` into the input-gradient elements it read.
    private func scatterInputGradient(
        outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>, channel: Int,
        into inputGradient: UnsafeMutablePointer<Float>
    ) {
        let geometry = geometry
        let planeSize = geometry.inputPlaneSize, pixels = geometry.outputPixels
        let kernelWidth = geometry.kernelWidth, area = geometry.kernelArea
        let outputWidth = geometry.outputWidth
        let strideWidth = geometry.strideWidth, dilationWidth = geometry.dilationWidth, padLeft = geometry.padLeft
        let outputChannels = outputChannels, inputChannels = geometry.channels
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * geometry.kernelHeight + 2 * kernelWidth) { buffer in
            let kernelRows = buffer.baseAddress!, rowOffsets = kernelRows + geometry.kernelHeight
            let bounds = rowOffsets + geometry.kernelHeight
            for kernelColumn in 0..<kernelWidth {
                let valid = geometry.validOutputColumns(kernelColumn: kernelColumn)
                bounds[2 &* kernelColumn] = valid.lower
                bounds[2 &* kernelColumn &+ 1] = valid.upper
            }
            for sample in 0..<batch {
                let target = inputGradient + (sample &* inputChannels &+ channel) &* planeSize
                for copy in 0..<multiplier {
                    let outputChannel = channel &* multiplier &+ copy
                    let taps = weight + outputChannel &* area
                    let gradientPlane = outputGradient + (sample &* outputChannels &+ outputChannel) &* pixels
                    for outputRow in 0..<geometry.outputHeight {
                        let rowGradient = gradientPlane + outputRow &* outputWidth
                        let rows = inputRows(of: outputRow, kernelRows: kernelRows, rowOffsets: rowOffsets)
                        for row in 0..<rows {
                            let rowTaps = taps + kernelRows[row] &* kernelWidth
                            for kernelColumn in 0..<kernelWidth {
                                let lower = bounds[2 &* kernelColumn], upper = bounds[2 &* kernelColumn &+ 1]
                                let tap = rowTaps[kernelColumn]
                                let rowTarget = target + (rowOffsets[row] &+ kernelColumn &* dilationWidth &- padLeft)
                                for outputColumn in lower..<upper {
                                    rowTarget[outputColumn &* strideWidth] += tap * rowGradient[outputColumn]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
