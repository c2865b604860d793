import ShrinkTensor

/// CIFAR-10 (Krizhevsky, 2009): 32×32 colour images in 10 classes, read from the files of the
/// official binary version in a directory and verified against the directory's `SHA256SUMS`.
///
/// The files are `data_batch_1.bin` … `data_batch_5.bin` (training, 10,000 images each) and
/// `test_batch.bin` (10,000 images), each either plain or gzip-compressed (`data_batch_1.bin.gz`;
/// the plain file is used when both exist). A file is a sequence of 3073-byte records: the label
/// byte 0...9, then the 1024 red, 1024 green and 1024 blue bytes of the image, rows top to bottom.
///
/// The official archive is `CIFAR10.archiveAddress`. It has no `SHA256SUMS`: after checking the
/// archive's md5sum against the one on the CIFAR-10 page, write one in its extracted
/// `cifar-10-batches-bin` folder with `sha256sum *.bin > SHA256SUMS`. The repository ships the first
/// 100 records of `data_batch_1` and `test_batch` in `Data/cifar10-subset` (see
/// `defaultSubsetDirectory()`), to be loaded with `trainingBatches: subsetTrainingBatches`.
public enum CIFAR10 {
    /// Which half of CIFAR-10 to load.
    public enum Split: String, Sendable, CaseIterable {
        /// 50,000 training images, in the files `data_batch_1` … `data_batch_5`.
        case train
        /// 10,000 test images, in the file `test_batch`.
        case test
    }

    /// The side of the square images in pixels.
    public static let imageSide = 32
    /// The colour channels of an image: red, green, blue.
    public static let channelCount = 3
    /// The number of classes.
    public static let classCount = 10
    /// The class names by label.
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    /// The size of one record in bytes: the label byte, then the pixels.
    public static let recordByteCount = 1 + channelCount * imageSide * imageSide
    /// The numbers of the five training files, `data_batch_1` … `data_batch_5`.
    public static let allTrainingBatches = [1, 2, 3, 4, 5]
    /// The checksums file expected next to the data files.
    public static let checksumsFileName = "SHA256SUMS"
    /// Where the official binary version can be downloaded.
    public static let archiveAddress = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"

    /// Loads one split from `directory` as inputs `[count, 3, 32, 32]` holding `pixel / 255` (in
    /// 0...1; see `ChannelNormalization` for standardizing them) and labels 0...9.
    ///
    /// Every file is verified against `SHA256SUMS` (the hash of the file as stored; also that of
    /// the decompressed bytes if the line lists a second hash) before its records are used.
    /// - Parameters:
    ///   - trainingBatches: which of `data_batch_1` … `data_batch_5` make the training split, in
    ///     this order (each one 1...5, at least one, no repeats): all five unless the directory is
    ///     known to hold fewer, such as the repository's subset. Ignored for the test split.
    ///   - limit: load only the first `limit` records of the split (in file order); files after
    ///     the limit is reached are not read. `nil` loads them all.
    /// - Throws: `CIFAR10Error` naming the file at fault: missing (a training file left out of
    ///   `trainingBatches` is never looked for), not listed in `SHA256SUMS`, a wrong checksum,
    ///   corrupt gzip data, a length that is not a whole number of records, or a label above 9.
    public static func load(
        split: Split, from directory: String, trainingBatches: [Int] = allTrainingBatches, limit: Int? = nil
    ) throws -> LabeledDataset {
        let stems = fileStems(of: split, trainingBatches: trainingBatches)
        precondition(limit.map { $0 >= 0 } ?? true, "limit must not be negative, got \(limit ?? 0)")
        guard FileBytes.isDirectory(directory) else { throw CIFAR10Error.missingDirectory(path: directory) }
        let checksumsPath = FileBytes.join(directory, checksumsFileName)
        guard FileBytes.isRegularFile(checksumsPath) else { throw CIFAR10Error.missingChecksumsFile(path: checksumsPath) }
        let checksums = try SHA256Sums(contentsOf: checksumsPath, failure: CIFAR10Error.self)

        var records = CIFAR10Records()
        for stem in stems {
            let wanted = limit.map { $0 - records.count } ?? Int.max
            if wanted <= 0 { break }
            let path = try dataFile(stem, in: directory)
            let bytes = try checksums.verifiedContents(
                of: path, decompressing: path.hasSuffix(".gz"), decompressedContent: "decompressed data",
                maximumByteCount: maximumFileByteCount, failure: CIFAR10Error.self)
            try records.append(fileBytes: bytes, from: path, upTo: wanted)
        }
        return records.dataset()
    }

    /// The file names without extension that hold `split`: `data_batch_N` for each of
    /// `trainingBatches`, or `test_batch`.
    public static func fileStems(of split: Split, trainingBatches: [Int] = allTrainingBatches) -> [String] {
        switch split {
        case .train:
            precondition(!trainingBatches.isEmpty, "trainingBatches must name at least one of 1...5")
            precondition(trainingBatches.allSatisfy(allTrainingBatches.contains),
                         "trainingBatches \(trainingBatches) must each be one of 1...5")
            precondition(Set(trainingBatches).count == trainingBatches.count, "trainingBatches \(trainingBatches) repeats a batch")
            return trainingBatches.map { "data_batch_\($0)" }
        case .test:
            return ["test_batch"]
        }
    }

    /// The path of `<stem>.bin` in `directory` if that file exists, else of `<stem>.bin.gz`.
    /// - Throws: `CIFAR10Error.missingDataFile` if neither exists.
    static func dataFile(_ stem: String, in directory: String) throws -> String {
        let plain = FileBytes.join(directory, stem + ".bin")
        if FileBytes.isRegularFile(plain) { return plain }
        let compressed = plain + ".gz"
        if FileBytes.isRegularFile(compressed) { return compressed }
        throw CIFAR10Error.missingDataFile(path: plain, compressedPath: compressed)
    }

    /// Files larger than this (compressed or not) are refused before they are allocated; each
    /// official file is 30,730,000 bytes.
    static let maximumFileByteCount = 32 << 20
}
