import ShrinkTensor

/// The records of a CIFAR-10 split, gathered file by file and converted to a data set at the end.
struct CIFAR10Records {
    /// The checked bytes of each file and how many of its first records are kept.
    private var files = [(bytes: [UInt8], kept: Int)]()

    /// The number of records kept so far.
    private(set) var count = 0

    /// Checks the records of one file (`bytes`, read from `path`) and keeps the first `limit`.
    /// - Throws: `CIFAR10Error` if the file holds no records, is not a whole number of records,
    ///   or has a label above 9 in any record.
    mutating func append(fileBytes bytes: [UInt8], from path: String, upTo limit: Int) throws {
        let recordSize = CIFAR10.recordByteCount
        guard !bytes.isEmpty else { throw CIFAR10Error.noRecords(file: path) }
        guard bytes.count % recordSize == 0 else { throw CIFAR10Error.truncated(file: path, byteCount: bytes.count) }
        let available = bytes.count / recordSize
        try bytes.withUnsafeBufferPointer { source in
            var record = 0
            while record < available {
                let label = source[record * recordSize]
                guard label < CIFAR10.classCount else {
                    throw CIFAR10Error.labelOutOfRange(file: path, record: record, value: Int(label))
                }
                record += 1
            }
        }
        let kept = min(available, limit)
        files.append((bytes, kept))
        count += kept
    }

    /// The kept records as a data set: inputs `[count, 3, 32, 32]` holding `pixel / 255`, in one
    /// allocation and one pass over the pixels.
    func dataset() -> LabeledDataset {
        let recordSize = CIFAR10.recordByteCount, imageSize = recordSize - 1
        var labels = [Int]()
        labels.reserveCapacity(count)
        let pixels = [Float](unsafeUninitializedCapacity: count * imageSize) { destination, initialized in
            var output = destination.baseAddress!
            for file in files {
                file.bytes.withUnsafeBufferPointer { source in
                    for record in 0..<file.kept {
                        let input = source.baseAddress! + record * recordSize
                        labels.append(Int(input[0]))
                        // `Float(UInt8)` is a concrete conversion, unlike a table look-up's
                        // `Int(UInt8)`, which stays a slow generic call in debug builds.
                        var index = 0
                        while index < imageSize {
                            output[index] = Float(input[1 + index]) / 255
                            index += 1
                        }
                        output += imageSize
                    }
                }
            }
            initialized = count * imageSize
        }
        return LabeledDataset(
            inputs: Tensor(shape: [count, CIFAR10.channelCount, CIFAR10.imageSide, CIFAR10.imageSide], scalars: pixels),
            labels: labels, classCount: CIFAR10.classCount)
    }
}
