import Testing
import ShrinkTensor
@testable import ShrinkData

@Suite("Gzip")
struct GzipTests {
    private func randomBytes(_ count: Int, seed: UInt64, alphabet: Int = 256) -> [UInt8] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return (0..<count).map { _ in UInt8(generator.nextIndex(below: alphabet)) }
    }

    @Test("Round trip at several levels and sizes")
    func roundTrip() throws {
        for (size, level) in [(0, 6), (1, 0), (1000, 1), (100_000, 9)] {
            let data = randomBytes(size, seed: UInt64(size), alphabet: 16)
            let compressed = try Gzip.compress(data, level: level)
            #expect(Gzip.isGzip(compressed))
            #expect(try Gzip.decompress(compressed, maximumOutputBytes: size) == data)
        }
    }

    @Test("Compression is deterministic and shrinks redundant data")
    func deterministic() throws {
        let data = [UInt8](repeating: 7, count: 50_000)
        let first = try Gzip.compress(data)
        #expect(first == (try Gzip.compress(data)))
        #expect(first.count < 200)
    }

    @Test("Concatenated gzip members decompress to the concatenation")
    func concatenatedMembers() throws {
        let first = randomBytes(3000, seed: 1), second = randomBytes(5000, seed: 2)
        let joined = try Gzip.compress(first) + (try Gzip.compress(second, level: 1))
        #expect(try Gzip.decompress(joined, maximumOutputBytes: 8000) == first + second)
    }

    @Test("zlib-wrapped data (python zlib.compress(b'hello'))")
    func zlibWrapped() throws {
        let wrapped: [UInt8] = [0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x06, 0x2c, 0x02, 0x15]
        #expect(try Gzip.decompress(wrapped, maximumOutputBytes: 100) == Array("hello".utf8))
    }

    @Test("Output cap stops a zip bomb; an exact fit is accepted")
    func outputCap() throws {
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 4 << 20))
        #expect(bomb.count < 10_000)
        #expect(throws: GzipError.outputLimitExceeded(limit: 1 << 20)) {
            try Gzip.decompress(bomb, maximumOutputBytes: 1 << 20)
        }
        #expect(throws: GzipError.outputLimitExceeded(limit: (4 << 20) - 1)) {
            try Gzip.decompress(bomb, maximumOutputBytes: (4 << 20) - 1)
        }
        #expect(try Gzip.decompress(bomb, maximumOutputBytes: 4 << 20).count == 4 << 20)
        // A lying size trailer (claims 4 GiB - 1) must not drive the allocation past the cap.
        var lying = try Gzip.compress([1, 2, 3])
        lying.replaceSubrange((lying.count - 4)..., with: [0xff, 0xff, 0xff, 0xff])
        #expect(throws: GzipError.self) { try Gzip.decompress(lying, maximumOutputBytes: 1 << 20) }
    }

    @Test("Truncated, corrupt and trailing-garbage inputs give typed errors")
    func badInputs() throws {
        let data = randomBytes(10_000, seed: 3, alphabet: 8)
        let compressed = try Gzip.compress(data)
        #expect(throws: GzipError.truncated(inputByteCount: 0)) { try Gzip.decompress([], maximumOutputBytes: 100) }
        #expect(throws: GzipError.truncated(inputByteCount: compressed.count / 2)) {
            try Gzip.decompress(Array(compressed[..<(compressed.count / 2)]), maximumOutputBytes: 20_000)
        }
        #expect(throws: GzipError.trailingData(offset: compressed.count, byteCount: 3)) {
            try Gzip.decompress(compressed + [1, 2, 3], maximumOutputBytes: 20_000)
        }
        var badChecksum = compressed
        badChecksum[badChecksum.count - 6] ^= 0x55  // inside the CRC-32 trailer
        #expect(throws: GzipError.corrupt(message: "incorrect data check")) {
            try Gzip.decompress(badChecksum, maximumOutputBytes: 20_000)
        }
        #expect(throws: GzipError.self) { try Gzip.decompress(Array("plain text".utf8), maximumOutputBytes: 100) }
        #expect(throws: GzipError.invalidLevel(10)) { try Gzip.compress(data, level: 10) }
    }

    @Test("Seeded random mutations never crash: they decompress or throw GzipError")
    func mutations() throws {
        let data = randomBytes(2000, seed: 4, alphabet: 20)
        let compressed = try Gzip.compress(data)
        var generator = SeededRandomNumberGenerator(seed: 5)
        var failures = 0
        for _ in 0..<300 {
            let mutated = mutate(compressed, using: &generator)
            do {
                let output = try Gzip.decompress(mutated, maximumOutputBytes: 4000)
                #expect(output.count <= 4000)
            } catch is GzipError {
                failures += 1
            }
        }
        #expect(failures > 150, "most mutations of gzip data must be detected (CRC-32, lengths)")
    }
}

/// One random corruption of `bytes`: flipped bytes, truncation, random tail, a cut-out or an insertion.
func mutate(_ bytes: [UInt8], using generator: inout SeededRandomNumberGenerator) -> [UInt8] {
    var result = bytes
    switch generator.nextIndex(below: 5) {
    case 0:
        for _ in 0...generator.nextIndex(below: 4) where !result.isEmpty {
            result[generator.nextIndex(below: result.count)] = UInt8(generator.nextIndex(below: 256))
        }
    case 1:
        result.removeSubrange(generator.nextIndex(below: max(result.count, 1))...)
    case 2:
        result += (0..<(1 + generator.nextIndex(below: 16))).map { _ in UInt8(generator.nextIndex(below: 256)) }
    case 3 where result.count > 1:
        let start = generator.nextIndex(below: result.count - 1)
        result.removeSubrange(start..<min(result.count, start + 1 + generator.nextIndex(below: 8)))
    default:
        let position = generator.nextIndex(below: result.count + 1)
        result.insert(contentsOf: (0..<(1 + generator.nextIndex(below: 8))).map { _ in UInt8(generator.nextIndex(below: 256)) }, at: position)
    }
    return result
}
