import Testing
import ShrinkTensor
@testable import ShrinkData

@Suite("MNIST")
struct MNISTTests {
    static let shippedDirectory = try! MNIST.defaultDirectory()

    @Test("The shipped test split: 10,000 samples, known label histogram, pixel range")
    func shippedTestSplit() throws {
        let dataset = try MNIST.load(split: .test, from: Self.shippedDirectory, normalization: .unitRange)
        #expect(dataset.count == 10_000)
        #expect(dataset.inputs.shape == [10_000, 1, 28, 28])
        #expect(dataset.classCount == 10)
        var histogram = [Int](repeating: 0, count: 10)
        for label in dataset.labels { histogram[label] += 1 }
        #expect(histogram == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        #expect(Array(dataset.labels.prefix(5)) == [7, 2, 1, 0, 4])
        var (minimum, maximum, sum): (Float, Float, Double) = (.infinity, -.infinity, 0)
        dataset.inputs.withUnsafeBufferPointer { values in
            var index = 0
            while index < values.count {
                let value = values[index]
                minimum = min(minimum, value)
                maximum = max(maximum, value)
                sum += Double(value)
                index += 1
            }
        }
        #expect(minimum == 0 && maximum == 1)
        let mean = sum / Double(dataset.inputs.count)
        #expect(abs(mean - 0.1325) < 0.001, "test-set mean pixel \(mean)")
        // Standardization maps each pixel through (x - 0.1307) / 0.3081.
        let standardized = dataset.inputs.scalars.prefix(2000).map { ($0 - 0.1307) / 0.3081 }
        let sample = dataset.inputs.scalars.prefix(2000).map { MNIST.Normalization.standardized.value(ofPixel: UInt8(($0 * 255).rounded())) }
        #expect(zip(standardized, sample).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test("A corrupted copy is rejected with the file name and both checksums")
    func wrongChecksum() throws {
        let directory = TemporaryDirectory()
        let sums = try FileBytes.read(path: Self.shippedDirectory + "/SHA256SUMS", maximumByteCount: 1 << 16)
        try directory.write(sums, to: "SHA256SUMS")
        var labels = try FileBytes.read(path: Self.shippedDirectory + "/t10k-labels-idx1-ubyte.gz", maximumByteCount: 1 << 20)
        labels[100] ^= 0x01
        let path = try directory.write(labels, to: "t10k-labels-idx1-ubyte.gz")
        let expected = "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b"
        let error = MNISTError.checksumMismatch(file: path, content: "gzip file", expected: expected, actual: SHA256.hexString(of: SHA256.hash(labels)))
        #expect(throws: error) { try MNIST.load(split: .test, from: directory.path) }
        #expect(error.description.hasPrefix(path + ": wrong SHA-256"))
        #expect(error.description.contains(expected))
    }

    @Test("The SHA-256 of the decompressed bytes is checked too")
    func wrongRawChecksum() throws {
        let directory = TemporaryDirectory()
        let labels = try FileBytes.read(path: Self.shippedDirectory + "/t10k-labels-idx1-ubyte.gz", maximumByteCount: 1 << 20)
        let path = try directory.write(labels, to: "t10k-labels-idx1-ubyte.gz")
        let wrongRaw = String(repeating: "0", count: 64)
        try directory.write(Array("\(SHA256.hexDigest(labels)) \(wrongRaw) t10k-labels-idx1-ubyte.gz\n".utf8), to: "SHA256SUMS")
        #expect(throws: MNISTError.checksumMismatch(
            file: path, content: "decompressed IDX data", expected: wrongRaw,
            actual: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")) {
            try MNIST.load(split: .test, from: directory.path)
        }
    }

    @Test("Missing files and checksum entries are named")
    func missingFiles() throws {
        let directory = TemporaryDirectory()
        #expect(throws: MNISTError.missingFile(path: directory.path + "/SHA256SUMS")) {
            try MNIST.load(split: .train, from: directory.path)
        }
        try directory.write(Array("# comment\n\(String(repeating: "a", count: 64))  t10k-labels-idx1-ubyte.gz\n".utf8), to: "SHA256SUMS")
        #expect(throws: MNISTError.missingFile(path: directory.path + "/t10k-labels-idx1-ubyte.gz")) {
            try MNIST.load(split: .test, from: directory.path)
        }
        #expect(throws: MNISTError.missingChecksum(file: directory.path + "/train-labels-idx1-ubyte.gz", checksumsFile: directory.path + "/SHA256SUMS")) {
            try MNIST.load(split: .train, from: directory.path)
        }
        try directory.write(Array("# comment\nnot-a-hash t10k-labels-idx1-ubyte.gz\n".utf8), to: "SHA256SUMS")
        #expect(throws: MNISTError.malformedChecksums(path: directory.path + "/SHA256SUMS", line: 2)) {
            try MNIST.load(split: .test, from: directory.path)
        }
    }

    /// Writes a tiny MNIST-like test split (gzip IDX plus matching SHA256SUMS) from raw IDX bytes.
    private func writeSplit(images: [UInt8], labels: [UInt8], in directory: TemporaryDirectory) throws {
        var sums = "# sha256 of the .gz, then of the raw idx bytes\n"
        for (name, raw) in [(MNIST.Split.test.imagesFileName, images), (MNIST.Split.test.labelsFileName, labels)] {
            let compressed = try Gzip.compress(raw)
            try directory.write(compressed, to: name)
            sums += "\(SHA256.hexDigest(compressed))  \(SHA256.hexDigest(raw))  \(name)\n"
        }
        try directory.write(Array(sums.utf8), to: "SHA256SUMS")
    }

    private func images(count: Int, side: Int = 28) -> [UInt8] {
        IDXArray(shape: [count, side, 28], elements: .uint8((0..<(count * side * 28)).map { UInt8($0 % 256) })).encoded()
    }

    private func labels(_ values: [UInt8]) -> [UInt8] {
        IDXArray(shape: [values.count], elements: .uint8(values)).encoded()
    }

    @Test("A small valid split loads with both normalizations")
    func smallValidSplit() throws {
        let directory = TemporaryDirectory()
        try writeSplit(images: images(count: 3), labels: labels([9, 0, 4]), in: directory)
        let unit = try MNIST.load(split: .test, from: directory.path, normalization: .unitRange)
        #expect(unit.labels == [9, 0, 4])
        #expect(unit.inputs.shape == [3, 1, 28, 28])
        #expect(unit.inputs[0, 0, 0, 1] == Float(1) / 255)
        #expect(unit.inputs[1, 0, 0, 0] == Float(784 % 256) / 255)
        let standardized = try MNIST.load(split: .test, from: directory.path)
        #expect(abs(standardized.inputs[0, 0, 0, 0] - (-0.1307 / 0.3081)) < 1e-6)
        #expect(abs(standardized.inputs[0, 0, 9, 3] - ((255.0 / 255 - 0.1307) / 0.3081)) < 1e-6)  // pixel 255
    }

    @Test("Label range, count mismatch, wrong shape and wrong magic are reported with the file")
    func semanticErrors() throws {
        let directory = TemporaryDirectory()
        let imagesPath = directory.path + "/" + MNIST.Split.test.imagesFileName
        let labelsPath = directory.path + "/" + MNIST.Split.test.labelsFileName

        try writeSplit(images: images(count: 3), labels: labels([1, 12, 3]), in: directory)
        #expect(throws: MNISTError.labelOutOfRange(file: labelsPath, index: 1, value: 12)) {
            try MNIST.load(split: .test, from: directory.path)
        }
        try writeSplit(images: images(count: 2), labels: labels([1, 2, 3]), in: directory)
        #expect(throws: MNISTError.countMismatch(imagesFile: imagesPath, imageCount: 2, labelsFile: labelsPath, labelCount: 3)) {
            try MNIST.load(split: .test, from: directory.path)
        }
        try writeSplit(images: images(count: 3, side: 27), labels: labels([1, 2, 3]), in: directory)
        #expect(throws: MNISTError.unexpectedShape(file: imagesPath, elementType: .uint8, shape: [3, 27, 28], expected: "u8 [count, 28, 28]")) {
            try MNIST.load(split: .test, from: directory.path)
        }
        try writeSplit(images: images(count: 3), labels: Array("not an idx file".utf8), in: directory)
        #expect(throws: MNISTError.invalidIDX(.badMagic(file: labelsPath, magic: Array("not ".utf8)))) {
            try MNIST.load(split: .test, from: directory.path)
        }
        try writeSplit(images: images(count: 3), labels: labels([1, 2, 3]).dropLast(), in: directory)
        #expect(throws: MNISTError.invalidIDX(.dataSizeMismatch(file: labelsPath, shape: [3], elementType: .uint8, expected: 3, actual: 2))) {
            try MNIST.load(split: .test, from: directory.path)
        }
    }

    @Test("Directory search: cwd and parents, then the source file's checkout; clear error otherwise")
    func directorySearch() throws {
        let empty = TemporaryDirectory()
        #expect(try MNIST.locateDirectory(startingAt: empty.path, sourceFilePath: #filePath).hasSuffix("/Data/mnist"))
        #expect(try MNIST.locateDirectory(startingAt: nil, sourceFilePath: #filePath) == Self.shippedDirectory)
        do {
            _ = try MNIST.locateDirectory(startingAt: empty.path, sourceFilePath: nil)
            Issue.record("expected directoryNotFound")
        } catch let error as MNISTError {
            guard case .directoryNotFound(let searched) = error else { throw error }
            #expect(searched.first == empty.path && searched.last == "/")
            #expect(error.description.contains("--data-dir"))
        }
    }
}
