import Testing
import ShrinkTensor
@testable import ShrinkData

@Suite("IDX reader")
struct IDXTests {
    /// One small array of every element type, with awkward values (negative, extremes, NaN-free).
    static let samples: [IDXArray] = [
        IDXArray(shape: [5], elements: .uint8([0, 1, 127, 128, 255])),
        IDXArray(shape: [2, 3], elements: .int8([-128, -1, 0, 1, 64, 127])),
        IDXArray(shape: [2, 1, 2], elements: .int16([-32768, -2, 300, 32767])),
        IDXArray(shape: [3], elements: .int32([Int32.min, -70000, Int32.max])),
        IDXArray(shape: [1, 2, 2, 1], elements: .float32([-1.5, 0, 3.25e-7, Float.greatestFiniteMagnitude])),
        IDXArray(shape: [2, 2], elements: .float64([-0.1, 2.5e300, -Double.leastNonzeroMagnitude, 42])),
    ]

    @Test("Hand-made big-endian files of each type", arguments: samples)
    func parsesEachType(expected: IDXArray) throws {
        let bytes = expected.encoded()
        #expect(bytes[0] == 0 && bytes[1] == 0 && bytes[2] == expected.elementType.rawValue && Int(bytes[3]) == expected.shape.count)
        let parsed = try IDX.parse(bytes)
        #expect(parsed == expected)
        #expect(try IDX.parse(try Gzip.compress(bytes)) == expected)
        #expect(try IDX.parseHeader(bytes) == IDXHeader(elementType: expected.elementType, shape: expected.shape))
    }

    @Test("Literal bytes: i16 [2] big-endian and f32 [1]")
    func literalBytes() throws {
        let int16File: [UInt8] = [0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE]
        #expect(try IDX.parse(int16File).elements == .int16([0x0102, -2]))
        let float32File: [UInt8] = [0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0]
        #expect(try IDX.parse(float32File).floatValues() == [1.5])
        #expect(try IDX.parse(int16File).integerValues() == [258, -2])
    }

    @Test("Reading plain and gzip files from disk")
    func readsFiles() throws {
        let directory = TemporaryDirectory()
        let array = Self.samples[3]
        let plain = try directory.write(array.encoded(), to: "plain.idx")
        let compressed = try directory.write(try Gzip.compress(array.encoded()), to: "compressed.idx.gz")
        #expect(try IDX.read(contentsOf: plain) == array)
        #expect(try IDX.read(contentsOf: compressed) == array)
        let missing = directory.path + "/missing.idx"
        #expect(throws: IDXError.unreadable(.notFound(path: missing))) { try IDX.read(contentsOf: missing) }
        #expect(throws: IDXError.unreadable(.notRegularFile(path: directory.path))) { try IDX.read(contentsOf: directory.path) }
    }

    @Test("Each header defect gives its own error naming the file")
    func headerErrors() throws {
        let name = "bad.idx"
        func check(_ bytes: [UInt8], _ expected: IDXError, limits: IDXLimits = .standard) {
            #expect(throws: expected) { try IDX.parse(bytes, source: name, limits: limits) }
            do {
                _ = try IDX.parse(bytes, source: name, limits: limits)
            } catch {
                #expect("\(error)".hasPrefix(name + ": "), "message must name the file: \(error)")
            }
        }
        check([], .truncatedHeader(file: name, byteCount: 0, needed: 4))
        check([0, 0, 8], .truncatedHeader(file: name, byteCount: 3, needed: 4))
        check([0, 0, 8, 2, 0, 0, 0, 1, 0, 0], .truncatedHeader(file: name, byteCount: 10, needed: 12))
        check([0x50, 0x4B, 3, 4, 0, 0], .badMagic(file: name, magic: [0x50, 0x4B, 3, 4]))
        check([0, 0, 0x0A, 1, 0, 0, 0, 1, 0], .unknownElementType(file: name, code: 0x0A))
        check([0, 0, 8, 0], .invalidRank(file: name, rank: 0, maximum: 4))
        check([0, 0, 8, 5] + [UInt8](repeating: 1, count: 20), .invalidRank(file: name, rank: 5, maximum: 4))
        check([0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 0], .zeroDimension(file: name, index: 1, shape: [3, 0]))
        let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        check([0, 0, 0x0E, 4] + huge + huge + huge + huge,
              .sizeOverflow(file: name, shape: [Int(UInt32.max), Int(UInt32.max), Int(UInt32.max), Int(UInt32.max)]))
        check([0, 0, 0x0D, 2] + huge + huge, .sizeOverflow(file: name, shape: [Int(UInt32.max), Int(UInt32.max)]))
        check([0, 0, 0x0D, 2, 0, 0, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF], .tooLarge(
            file: name, shape: [65535, 65535], byteCount: 65535 * 65535 * 4, limit: IDXLimits.standard.maximumDataByteCount))
        check([0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3], .tooLarge(file: name, shape: [10], byteCount: 10, limit: 8),
              limits: IDXLimits(maximumRank: 1, maximumDataByteCount: 8))
        // 200 MiB declared, 3 bytes present: rejected from the sizes alone.
        check([0, 0, 8, 1, 0x0C, 0x80, 0, 0, 1, 2, 3],
              .dataSizeMismatch(file: name, shape: [200 << 20], elementType: .uint8, expected: 200 << 20, actual: 3))
        check([0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0],
              .dataSizeMismatch(file: name, shape: [2], elementType: .int32, expected: 8, actual: 7))
        check([0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3],
              .dataSizeMismatch(file: name, shape: [2], elementType: .uint8, expected: 2, actual: 3))
    }

    @Test("Gzip-wrapped hostile files: size lies, trailing data, corrupt stream")
    func compressedErrors() throws {
        let name = "bad.idx.gz"
        // Declares 200 MiB of u8 but holds 3 bytes: must fail after reading what exists.
        let lying = try Gzip.compress([0, 0, 8, 1, 0x0C, 0x80, 0, 0, 1, 2, 3])
        #expect(throws: IDXError.dataSizeMismatch(file: name, shape: [200 << 20], elementType: .uint8, expected: 200 << 20, actual: 3)) {
            try IDX.parse(lying, source: name)
        }
        let longer = try Gzip.compress([0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3])
        #expect(throws: IDXError.trailingData(file: name, expected: 2)) { try IDX.parse(longer, source: name) }
        let headerOnly = try Gzip.compress([0, 0, 8])
        #expect(throws: IDXError.truncatedHeader(file: name, byteCount: 3, needed: 4)) { try IDX.parse(headerOnly, source: name) }
        var good = try Gzip.compress(IDXTests.samples[0].encoded())
        good.removeLast(5)
        #expect(throws: IDXError.decompression(file: name, .truncated(inputByteCount: good.count))) {
            try IDX.parse(good, source: name)
        }
    }
}
