import ShrinkTensor

extension ImageAugmentation {
    /// `inputs` `[count, channels, height, width]` with `transforms[i]` applied to image `i`, in
    /// one pass that writes each output value once (pixels from outside the image are 0).
    public func applying(_ transforms: [Transform], to inputs: Tensor) -> Tensor {
        precondition(inputs.rank == 4, "expects images [count, channels, height, width], got \(inputs.shape)")
        let (count, channels, height, width) = (inputs.shape[0], inputs.shape[1], inputs.shape[2], inputs.shape[3])
        precondition(transforms.count == count, "\(transforms.count) transforms for \(count) images")
        let offsets = 0...(2 * padding)
        precondition(transforms.allSatisfy { offsets.contains($0.rowOffset) && offsets.contains($0.columnOffset) },
                     "crop offsets must be in \(offsets)")
        let planeSize = height * width
        let scalars = [Float](unsafeUninitializedCapacity: inputs.count) { output, initialized in
            inputs.withUnsafeBufferPointer { input in
                for (image, transform) in transforms.enumerated() {
                    let rowShift = transform.rowOffset - padding, columnShift = transform.columnOffset - padding
                    // Output columns whose source column lies inside the image (see `sourceColumn`).
                    let firstColumn = min(width, max(0, transform.flipsHorizontally ? columnShift : -columnShift))
                    let endColumn = max(firstColumn, min(width, transform.flipsHorizontally ? width + columnShift : width - columnShift))
                    for channel in 0..<channels {
                        let plane = (image * channels + channel) * planeSize
                        for row in 0..<height {
                            let target = output.baseAddress! + plane + row * width
                            let sourceRow = row + rowShift
                            guard sourceRow >= 0 && sourceRow < height else {
                                target.initialize(repeating: 0, count: width)
                                continue
                            }
                            let source = input.baseAddress! + plane + sourceRow * width
                            target.initialize(repeating: 0, count: firstColumn)
                            if transform.flipsHorizontally {
                                // Output column x reads source column width − 1 − x + columnShift.
                                var column = firstColumn
                                while column < endColumn {
                                    target[column] = source[width - 1 - column + columnShift]
                                    column += 1
                                }
                            } else if endColumn > firstColumn {
                                (target + firstColumn).initialize(from: source + firstColumn + columnShift, count: endColumn - firstColumn)
                            }
                            (target + endColumn).initialize(repeating: 0, count: width - endColumn)
                        }
                    }
                }
            }
            initialized = inputs.count
        }
        return Tensor(shape: inputs.shape, scalars: scalars)
    }
}
