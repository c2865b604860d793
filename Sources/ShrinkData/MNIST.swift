import ShrinkTensor

/// The MNIST handwritten digits (LeCun, Cortes, Burges), read from the gzip IDX files in a
/// directory (the repository ships them in `Data/mnist`) and verified against its `SHA256SUMS`.
public enum MNIST {
    /// Which half of MNIST to load.
    public enum Split: String, Sendable, CaseIterable {
        /// 60,000 training samples.
        case train
        /// 10,000 test samples.
        case test

        /// The gzip IDX file of the images.
        public var imagesFileName: String {
            switch self {
            case .train: return "train-images-idx3-ubyte.gz"
            case .test: return "t10k-images-idx3-ubyte.gz"
            }
        }

        /// The gzip IDX file of the labels.
        public var labelsFileName: String {
            switch self {
            case .train: return "train-labels-idx1-ubyte.gz"
            case .test: return "t10k-labels-idx1-ubyte.gz"
            }
        }
    }

    /// How pixel bytes 0...255 become input values.
    public enum Normalization: Sendable, Equatable {
        /// `pixel / 255`, in 0...1.
        case unitRange
        /// `(pixel / 255 - mean) / standardDeviation` with the usual MNIST training-set statistics.
        case standardized

        /// The MNIST training-set mean of `pixel / 255`.
        public static let mean: Float = 0.1307
        /// The MNIST training-set standard deviation of `pixel / 255`.
        public static let standardDeviation: Float = 0.3081

        /// The input value of one pixel byte.
        public func value(ofPixel pixel: UInt8) -> Float {
            let unit = Float(pixel) / 255
            switch self {
            case .unitRange: return unit
            case .standardized: return (unit - Self.mean) / Self.standardDeviation
            }
        }
    }

    /// The side of the square images in pixels.
    public static let imageSide = 28
    /// The number of classes (digits 0...9).
    public static let classCount = 10
    /// The checksums file expected next to the data files.
    public static let checksumsFileName = "SHA256SUMS"

    /// Loads one split from `directory` as inputs `[count, 1, 28, 28]` and labels 0...9.
    ///
    /// Both SHA-256 sums of each file in `SHA256SUMS` (of the `.gz` file and of the decompressed
    /// IDX bytes) are verified before the data is used.
    /// - Throws: `MNISTError` naming the file at fault.
    public static func load(
        split: Split, from directory: String, normalization: Normalization = .standardized
    ) throws -> LabeledDataset {
        let checksums = try SHA256Sums(contentsOf: FileBytes.join(directory, checksumsFileName), failure: MNISTError.self)
        let imagesPath = FileBytes.join(directory, split.imagesFileName)
        let labelsPath = FileBytes.join(directory, split.labelsFileName)
        let labelBytes = try verifiedIDX(at: labelsPath, checksums: checksums)
        let imageBytes = try verifiedIDX(at: imagesPath, checksums: checksums)

        let labelsHeader = try idxHeader(of: labelBytes, path: labelsPath)
        guard labelsHeader.elementType == .uint8, labelsHeader.shape.count == 1 else {
            throw MNISTError.unexpectedShape(
                file: labelsPath, elementType: labelsHeader.elementType, shape: labelsHeader.shape, expected: "u8 [count]")
        }
        let imagesHeader = try idxHeader(of: imageBytes, path: imagesPath)
        guard imagesHeader.elementType == .uint8, imagesHeader.shape.count == 3,
              imagesHeader.shape[1] == imageSide, imagesHeader.shape[2] == imageSide
        else {
            throw MNISTError.unexpectedShape(
                file: imagesPath, elementType: imagesHeader.elementType, shape: imagesHeader.shape,
                expected: "u8 [count, \(imageSide), \(imageSide)]")
        }
        let count = labelsHeader.shape[0]
        guard imagesHeader.shape[0] == count else {
            throw MNISTError.countMismatch(
                imagesFile: imagesPath, imageCount: imagesHeader.shape[0], labelsFile: labelsPath, labelCount: count)
        }

        let labels = try labelBytes.withUnsafeBufferPointer { bytes in
            try (0..<count).map { index in
                let value = Int(bytes[labelsHeader.byteCount + index])
                guard value < classCount else { throw MNISTError.labelOutOfRange(file: labelsPath, index: index, value: value) }
                return value
            }
        }
        let pixels = convertPixels(imageBytes, from: imagesHeader.byteCount, count: imagesHeader.dataByteCount,
                                   normalization: normalization)
        return LabeledDataset(
            inputs: Tensor(shape: [count, 1, imageSide, imageSide], scalars: pixels),  // [count, 1, 28, 28]
            labels: labels, classCount: classCount)
    }

    /// Reads the gzip file at `path`, checks both of its SHA-256 sums, and returns the raw IDX bytes.
    static func verifiedIDX(at path: String, checksums: SHA256Sums) throws -> [UInt8] {
        try checksums.verifiedContents(
            of: path, decompressing: true, decompressedContent: "decompressed IDX data",
            maximumByteCount: maximumFileByteCount, failure: MNISTError.self)
    }

    /// Files larger than this (compressed or not) are rejected; MNIST's largest is 47 MB raw.
    static let maximumFileByteCount = 64 << 20

    private static func idxHeader(of bytes: [UInt8], path: String) throws -> IDXHeader {
        do {
            return try IDX.parseHeader(bytes, source: path, limits: IDXLimits(maximumRank: 4, maximumDataByteCount: maximumFileByteCount))
        } catch let error as IDXError {
            throw MNISTError.invalidIDX(error)
        }
    }

    /// Maps pixel bytes to floats through a 256-entry table.
    private static func convertPixels(
        _ bytes: [UInt8], from offset: Int, count: Int, normalization: Normalization
    ) -> [Float] {
        let table = (0...255).map { normalization.value(ofPixel: UInt8($0)) }
        return [Float](unsafeUninitializedCapacity: count) { destination, initialized in
            bytes.withUnsafeBufferPointer { source in
                table.withUnsafeBufferPointer { lookup in
                    let input = source.baseAddress! + offset
                    let output = destination.baseAddress!
                    let values = lookup.baseAddress!
                    for index in 0..<count {
                        output[index] = values[Int(input[index])]
                    }
                }
            }
            initialized = count
        }
    }
}
