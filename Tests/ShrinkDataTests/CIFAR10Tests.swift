import Testing
import ShrinkTensor
@testable import ShrinkData

@Suite("CIFAR10")
struct CIFAR10Tests {
    static let subsetDirectory = try! CIFAR10.defaultSubsetDirectory()

    /// The shared full copy beside the checkout (`../shared/data/cifar10`), if this machine has it.
    static let sharedDirectory: String? = {
        var root: String? = #filePath
        for _ in 0..<3 { root = root.flatMap { FileBytes.parent(of: $0) } }  // Tests/ShrinkDataTests/<file> → the checkout
        guard let checkout = root, let parent = FileBytes.parent(of: checkout) else { return nil }
        let directory = parent + "/shared/data/cifar10"
        return FileBytes.isRegularFile(directory + "/" + CIFAR10.checksumsFileName) ? directory : nil
    }()

    /// The decompressed bytes of one of the subset's files, read without the loader.
    private func rawSubsetFile(_ name: String) throws -> [UInt8] {
        try Gzip.decompress(FileBytes.read(path: Self.subsetDirectory + "/" + name, maximumByteCount: 1 << 20),
                            maximumOutputBytes: 1 << 20)
    }

    @Test("The shipped subset: 100 training and 100 test images, shapes, labels and pixels as in the raw files")
    func shippedSubset() throws {
        for (split, name) in [(CIFAR10.Split.train, "data_batch_1.bin.gz"), (.test, "test_batch.bin.gz")] {
            let dataset = try CIFAR10.load(split: split, from: Self.subsetDirectory, trainingBatches: CIFAR10.subsetTrainingBatches)
            let raw = try rawSubsetFile(name)
            #expect(raw.count == 100 * 3073)
            #expect(dataset.count == 100)
            #expect(dataset.inputs.shape == [100, 3, 32, 32])
            #expect(dataset.classCount == 10)
            #expect(dataset.labels.allSatisfy { (0...9).contains($0) })
            #expect(dataset.labels == (0..<100).map { Int(raw[$0 * 3073]) })
            // Record 0: the first red, green and blue pixels and the last blue one; record 57: red (5, 7).
            #expect(dataset.inputs[0, 0, 0, 0] == Float(raw[1]) / 255)
            #expect(dataset.inputs[0, 1, 0, 0] == Float(raw[1 + 1024]) / 255)
            #expect(dataset.inputs[0, 2, 0, 0] == Float(raw[1 + 2048]) / 255)
            #expect(dataset.inputs[0, 2, 31, 31] == Float(raw[3072]) / 255)
            #expect(dataset.inputs[57, 0, 5, 7] == Float(raw[57 * 3073 + 1 + 5 * 32 + 7]) / 255)
            #expect(dataset.inputs.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        let training = try CIFAR10.load(split: .train, from: Self.subsetDirectory, trainingBatches: [1])
        #expect(training.labels[0] == 7 && training.labels[1] == 3)  // horse, cat
    }

    @Test("A limit loads only the first records")
    func limit() throws {
        let all = try CIFAR10.load(split: .test, from: Self.subsetDirectory)
        let first = try CIFAR10.load(split: .test, from: Self.subsetDirectory, limit: 7)
        #expect(first.count == 7 && first.inputs.shape == [7, 3, 32, 32])
        #expect(first.labels == Array(all.labels.prefix(7)))
        #expect(first.inputs == all.prefix(7).inputs)
        #expect(try CIFAR10.load(split: .test, from: Self.subsetDirectory, limit: 500).count == 100)
        #expect(try CIFAR10.load(split: .test, from: Self.subsetDirectory, limit: 0).inputs.shape == [0, 3, 32, 32])
    }

    @Test("A normal training load of the subset names the first missing batch and where to get CIFAR-10")
    func missingBatch() throws {
        let path = Self.subsetDirectory + "/data_batch_2.bin"
        let error = CIFAR10Error.missingDataFile(path: path, compressedPath: path + ".gz")
        #expect(throws: error) { try CIFAR10.load(split: .train, from: Self.subsetDirectory) }
        #expect(error.description.hasPrefix(path + ": file not found"))
        #expect(error.description.contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"))
        // Only the batches asked for are looked for, in the order given.
        #expect(throws: error) { try CIFAR10.load(split: .train, from: Self.subsetDirectory, trainingBatches: [1, 2]) }
    }

    /// `count` records with labels `labels[i % labels.count]` and pixels `(record + index) % 256`.
    private func records(_ count: Int, labels: [UInt8] = [3, 9, 0]) -> [UInt8] {
        var bytes = [UInt8]()
        for record in 0..<count {
            bytes.append(labels[record % labels.count])
            bytes += (0..<3072).map { UInt8((record + $0) % 256) }
        }
        return bytes
    }

    /// Writes `files` (name, bytes as stored) and a `SHA256SUMS` listing them.
    private func write(_ files: [(String, [UInt8])], in directory: TemporaryDirectory) throws {
        var sums = "# test files\n"
        for (name, bytes) in files {
            try directory.write(bytes, to: name)
            sums += "\(SHA256.hexDigest(bytes))  \(name)\n"
        }
        try directory.write(Array(sums.utf8), to: "SHA256SUMS")
    }

    @Test("Plain and gzip files both load; the plain file wins when both exist")
    func plainAndGzip() throws {
        let directory = TemporaryDirectory()
        try write([("test_batch.bin.gz", try Gzip.compress(records(3)))], in: directory)
        let compressed = try CIFAR10.load(split: .test, from: directory.path)
        #expect(compressed.labels == [3, 9, 0])
        #expect(compressed.inputs[1, 0, 0, 0] == Float(1) / 255)
        #expect(compressed.inputs[2, 1, 0, 0] == Float((2 + 1024) % 256) / 255)
        try write([("test_batch.bin", records(2, labels: [5])), ("test_batch.bin.gz", try Gzip.compress(records(3)))], in: directory)
        let plain = try CIFAR10.load(split: .test, from: directory.path)
        #expect(plain.labels == [5, 5])
        #expect(plain.inputs == compressed.prefix(2).inputs)
    }

    @Test("Truncated files, empty files and out-of-range labels are reported with the file")
    func malformedRecords() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/test_batch.bin"
        try write([("test_batch.bin", Array(records(2).dropLast(5)))], in: directory)
        let truncated = CIFAR10Error.truncated(file: path, byteCount: 2 * 3073 - 5)
        #expect(throws: truncated) { try CIFAR10.load(split: .test, from: directory.path) }
        #expect(truncated.description.hasPrefix(path + ": truncated"))
        try write([("test_batch.bin", [])], in: directory)
        #expect(throws: CIFAR10Error.noRecords(file: path)) { try CIFAR10.load(split: .test, from: directory.path) }
        try write([("test_batch.bin", records(3, labels: [1, 10]))], in: directory)
        let label = CIFAR10Error.labelOutOfRange(file: path, record: 1, value: 10)
        #expect(throws: label) { try CIFAR10.load(split: .test, from: directory.path) }
        // Even beyond a limit: the whole file is checked.
        #expect(throws: label) { try CIFAR10.load(split: .test, from: directory.path, limit: 1) }
        #expect(label.description == path + ": label of record 1 is 10, outside 0...9")
    }

    @Test("Corrupt, truncated and oversized gzip data are reported with the file")
    func corruptGzip() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/test_batch.bin.gz"
        var corrupt = try Gzip.compress(records(4))
        for index in 20..<40 { corrupt[index] ^= 0x5A }
        try write([("test_batch.bin.gz", corrupt)], in: directory)
        do {
            _ = try CIFAR10.load(split: .test, from: directory.path)
            Issue.record("expected a decompression error")
        } catch let error as CIFAR10Error {
            guard case .decompression(let file, _) = error else { throw error }
            #expect(file == path)
            #expect(error.description.hasPrefix(path + ": "))
        }
        let whole = try Gzip.compress(records(4))
        try write([("test_batch.bin.gz", Array(whole.prefix(whole.count / 2)))], in: directory)
        #expect(throws: CIFAR10Error.decompression(file: path, .truncated(inputByteCount: whole.count / 2))) {
            try CIFAR10.load(split: .test, from: directory.path)
        }
        // 33 MiB of zeros in 33 kB: refused at the 32 MiB cap, never allocated in full.
        try write([("test_batch.bin.gz", try Gzip.compress([UInt8](repeating: 0, count: 33 << 20)))], in: directory)
        #expect(throws: CIFAR10Error.decompression(file: path, .outputLimitExceeded(limit: 32 << 20))) {
            try CIFAR10.load(split: .test, from: directory.path)
        }
    }

    @Test("Wrong checksums of the stored file and of the decompressed bytes are rejected")
    func wrongChecksums() throws {
        let directory = TemporaryDirectory()
        let compressed = try Gzip.compress(records(2))
        let path = try directory.write(compressed, to: "test_batch.bin.gz")
        let wrong = String(repeating: "0", count: 64)
        try directory.write(Array("\(wrong)  test_batch.bin.gz\n".utf8), to: "SHA256SUMS")
        let mismatch = CIFAR10Error.checksumMismatch(file: path, content: "gzip file", expected: wrong, actual: SHA256.hexDigest(compressed))
        #expect(throws: mismatch) { try CIFAR10.load(split: .test, from: directory.path) }
        #expect(mismatch.description.hasPrefix(path + ": wrong SHA-256"))
        try directory.write(Array("\(SHA256.hexDigest(compressed)) \(wrong) test_batch.bin.gz\n".utf8), to: "SHA256SUMS")
        #expect(throws: CIFAR10Error.checksumMismatch(
            file: path, content: "decompressed data", expected: wrong, actual: SHA256.hexDigest(records(2)))) {
            try CIFAR10.load(split: .test, from: directory.path)
        }
        let plainPath = try directory.write(records(2), to: "test_batch.bin")
        try directory.write(Array("\(wrong)  test_batch.bin\n".utf8), to: "SHA256SUMS")
        #expect(throws: CIFAR10Error.checksumMismatch(file: plainPath, content: "file", expected: wrong, actual: SHA256.hexDigest(records(2)))) {
            try CIFAR10.load(split: .test, from: directory.path)
        }
    }

    @Test("Missing directory, SHA256SUMS, data file and checksum entry are named")
    func missingFiles() throws {
        let directory = TemporaryDirectory()
        #expect(throws: CIFAR10Error.missingDirectory(path: directory.path + "/nowhere")) {
            try CIFAR10.load(split: .test, from: directory.path + "/nowhere")
        }
        let sums = directory.path + "/SHA256SUMS"
        #expect(throws: CIFAR10Error.missingChecksumsFile(path: sums)) { try CIFAR10.load(split: .test, from: directory.path) }
        #expect(CIFAR10Error.missingChecksumsFile(path: sums).description.contains("sha256sum"))
        try write([("data_batch_1.bin", records(1))], in: directory)
        let missing = directory.path + "/test_batch.bin"
        #expect(throws: CIFAR10Error.missingDataFile(path: missing, compressedPath: missing + ".gz")) {
            try CIFAR10.load(split: .test, from: directory.path)
        }
        try directory.write(records(1), to: "test_batch.bin")
        #expect(throws: CIFAR10Error.missingChecksum(file: missing, checksumsFile: sums)) {
            try CIFAR10.load(split: .test, from: directory.path)
        }
        try directory.write(Array("not-a-hash test_batch.bin\n".utf8), to: "SHA256SUMS")
        #expect(throws: CIFAR10Error.malformedChecksums(path: sums, line: 1)) { try CIFAR10.load(split: .test, from: directory.path) }
    }

    @Test("Directory search finds Data/cifar10-subset from the checkout; a clear error otherwise")
    func directorySearch() throws {
        let empty = TemporaryDirectory()
        #expect(try CIFAR10.locateSubsetDirectory(startingAt: empty.path, sourceFilePath: #filePath).hasSuffix("/Data/cifar10-subset"))
        #expect(throws: CIFAR10Error.self) { try CIFAR10.locateSubsetDirectory(startingAt: empty.path, sourceFilePath: nil) }
        let error = CIFAR10Error.directoryNotFound(searched: [empty.path])
        #expect(error.description.contains("--data-dir"))
    }

    @Test("The full shared copy: 50,000 training images (5,000 per class) and 10,000 test images",
          .enabled(if: CIFAR10Tests.sharedDirectory != nil, "needs ../shared/data/cifar10 beside the checkout"))
    func sharedCopy() throws {
        let directory = try #require(Self.sharedDirectory)
        let training = try CIFAR10.load(split: .train, from: directory)
        #expect(training.inputs.shape == [50_000, 3, 32, 32])
        var histogram = [Int](repeating: 0, count: 10)
        for label in training.labels { histogram[label] += 1 }
        #expect(histogram == [Int](repeating: 5_000, count: 10))
        let test = try CIFAR10.load(split: .test, from: directory)
        #expect(test.inputs.shape == [10_000, 3, 32, 32])
        histogram = [Int](repeating: 0, count: 10)
        for label in test.labels { histogram[label] += 1 }
        #expect(histogram == [Int](repeating: 1_000, count: 10))
        // The repository's subset is the first 100 records of each file.
        let subset = try CIFAR10.load(split: .test, from: Self.subsetDirectory)
        #expect(test.prefix(100).inputs == subset.inputs && Array(test.labels.prefix(100)) == subset.labels)
    }
}
