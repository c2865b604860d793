import Testing
import ShrinkTensor
@testable import ShrinkData

@Suite("IDX robustness")
struct IDXRobustnessTests {
    /// A valid file to corrupt: i16 [3, 4, 5].
    private static func validArray() -> IDXArray {
        var generator = SeededRandomNumberGenerator(seed: 11)
        return IDXArray(shape: [3, 4, 5], elements: .int16((0..<60).map { _ in Int16(truncatingIfNeeded: generator.next()) }))
    }

    @Test("Random mutations of plain and gzip IDX files (from disk) parse or throw IDXError naming the file")
    func mutatedFiles() throws {
        let directory = TemporaryDirectory()
        let plain = Self.validArray().encoded()
        let compressed = try Gzip.compress(plain)
        let limits = IDXLimits(maximumRank: 4, maximumDataByteCount: 1 << 20)
        var generator = SeededRandomNumberGenerator(seed: 12)
        var outcomes = (parsed: 0, rejected: 0)
        for trial in 0..<400 {
            let original = trial.isMultiple(of: 2) ? plain : compressed
            var mutated = mutate(original, using: &generator)
            // Every fourth plain case: scramble the header specifically.
            if trial % 4 == 0 {
                for _ in 0..<2 { mutated[generator.nextIndex(below: min(mutated.count, 16))] = UInt8(generator.nextIndex(below: 256)) }
            }
            let path = try directory.write(mutated, to: "case-\(trial % 8).idx")
            do {
                let array = try IDX.read(contentsOf: path, limits: limits)
                #expect(array.elementCount * array.elementType.byteSize <= limits.maximumDataByteCount)
                #expect(array.elementCount == array.shape.reduce(1, *))
                outcomes.parsed += 1
            } catch let error as IDXError {
                #expect("\(error)".hasPrefix(path + ": "), "error must name the file: \(error)")
                outcomes.rejected += 1
            }
        }
        #expect(outcomes.rejected > 200)
    }

    @Test("Random headers with plausible magic never crash or allocate past the limit")
    func randomHeaders() throws {
        var generator = SeededRandomNumberGenerator(seed: 13)
        let types: [UInt8] = [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x07, 0xFF]
        for trial in 0..<300 {
            let rank = generator.nextIndex(below: 7)
            var bytes: [UInt8] = [0, 0, types[generator.nextIndex(below: types.count)], UInt8(rank)]
            for _ in 0..<rank {
                // Mostly small dimensions, sometimes huge ones.
                let dimension = generator.nextIndex(below: 4) == 0 ? UInt32(truncatingIfNeeded: generator.next()) : UInt32(generator.nextIndex(below: 6))
                bytes += [UInt8(dimension >> 24), UInt8(truncatingIfNeeded: dimension >> 16), UInt8(truncatingIfNeeded: dimension >> 8), UInt8(truncatingIfNeeded: dimension)]
            }
            bytes += (0..<generator.nextIndex(below: 200)).map { _ in UInt8(generator.nextIndex(below: 256)) }
            let input = trial.isMultiple(of: 3) ? try Gzip.compress(bytes, level: 1) : bytes
            do {
                let array = try IDX.parse(input, source: "header-\(trial)")
                #expect(array.elementCount * array.elementType.byteSize == bytes.count - 4 - 4 * rank)
            } catch let error as IDXError {
                #expect("\(error)".hasPrefix("header-\(trial): "))
            }
        }
    }
}
