import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// Seeded mutation testing of the reader: every variant must decode to a valid model or throw a
/// `ModelFileError`; a crash, a trap or a hang fails the whole test run.
@Suite struct ModelFileRobustnessTests {
    /// Outcome counts and the distinct error cases seen.
    struct Tally {
        var accepted = 0
        var rejected = 0
        var errorCases = Set<String>()
    }

    /// Decodes one variant and checks the outcome's invariants.
    func check(_ bytes: [UInt8], _ tally: inout Tally) {
        do {
            let model = try ModelFile.decode(bytes)
            tally.accepted += 1
            // Whatever the reader accepts, the writer can write, and it reads back the same.
            let again = try ModelFile.decode(try model.encoded())
            #expect(bitwiseEqual(model, again))
        } catch let error as ModelFileError {
            tally.rejected += 1
            tally.errorCases.insert(Mirror(reflecting: error).children.first?.label ?? "\(error)")
            #expect(!error.description.contains("\n"))
        } catch {
            Issue.record("decoding threw a non-ModelFileError: \(error)")
        }
    }

    /// One random structural mutation: bit flips, byte sets, insertions, deletions, duplication.
    func mutate(_ bytes: inout [UInt8], using generator: inout SeededRandomNumberGenerator) {
        guard !bytes.isEmpty else { return }
        let position = generator.nextIndex(below: bytes.count)
        switch generator.nextIndex(below: 6) {
        case 0:
            for _ in 0...generator.nextIndex(below: 3) {
                bytes[generator.nextIndex(below: bytes.count)] ^= UInt8(1) << UInt8(generator.nextIndex(below: 8))
            }
        case 1:
            let interesting: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x40, 0x22, 0x5B, 0x2D, 0x39]
            bytes[position] = generator.nextIndex(below: 2) == 0
                ? interesting[generator.nextIndex(below: interesting.count)]
                : UInt8(truncatingIfNeeded: generator.next())
        case 2:
            let count = 1 + generator.nextIndex(below: 8)
            bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, at: position)
        case 3:
            let count = min(1 + generator.nextIndex(below: 16), bytes.count - position)
            bytes.removeSubrange(position..<position + count)
        case 4:
            // A plausible little-endian integer at a field boundary of the preamble or table.
            let field = 8 * generator.nextIndex(below: min(bytes.count, 160) / 8)
            let values: [UInt64] = [0, 1, 63, 64, 65, UInt64(bytes.count), UInt64(bytes.count) + 1, .max, 1 << 32, 1 << 63]
            let value = values[generator.nextIndex(below: values.count)]
            for index in 0..<min(8, bytes.count - field) { bytes[field + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        default:
            let count = min(1 + generator.nextIndex(below: 32), bytes.count - position)
            let chunk = Array(bytes[position..<position + count])
            bytes.insert(contentsOf: chunk, at: generator.nextIndex(below: bytes.count))
        }
    }

    /// A token-level mutation of JSON text: digits, signs, brackets, quotes, deletions.
    func mutateJSON(_ text: inout [UInt8], using generator: inout SeededRandomNumberGenerator) {
        guard !text.isEmpty else { return }
        let position = generator.nextIndex(below: text.count)
        let tokens: [[UInt8]] = ["0", "9", "-", "1e9", "65", "64", "[", "]", "{", "}", ",", "\"", ":", "null", "99999999999", "[0]", "-1", " "]
            .map { Array($0.utf8) }
        switch generator.nextIndex(below: 4) {
        case 0:
            // Change a digit to another digit: shapes, offsets, lengths, hyper-parameters.
            let digits = text.indices.filter { text[$0] >= 0x30 && text[$0] <= 0x39 }
            if let index = digits.isEmpty ? nil : digits[generator.nextIndex(below: digits.count)] {
                text[index] = 0x30 + UInt8(generator.nextIndex(below: 10))
            }
        case 1:
            text.insert(contentsOf: tokens[generator.nextIndex(below: tokens.count)], at: position)
        case 2:
            text.removeSubrange(position..<min(text.count, position + 1 + generator.nextIndex(below: 6)))
        default:
            text[position] = tokens[generator.nextIndex(below: tokens.count)][0]
        }
    }

    @Test func everyTruncationIsRejected() {
        var tally = Tally()
        let valid = Fixtures.validBytes
        for length in 0..<valid.count { check(Array(valid[0..<length]), &tally) }
        #expect(tally.accepted == 0)
        #expect(tally.rejected == valid.count)
    }

    @Test func rawMutationsNeverCrash() {
        var generator = SeededRandomNumberGenerator(seed: 0x5EED)
        var tally = Tally()
        for _ in 0..<1_500 {
            var bytes = Fixtures.validBytes
            for _ in 0...generator.nextIndex(below: 2) { mutate(&bytes, using: &generator) }
            check(bytes, &tally)
        }
        #expect(tally.accepted + tally.rejected == 1_500)
        #expect(tally.errorCases.contains("sectionChecksumMismatch"))
        #expect(tally.errorCases.contains("headerChecksumMismatch"))
    }

    @Test func resealedMutationsReachTheStructuralChecks() {
        // Checksums recomputed after mutating, so the layout rules themselves are exercised.
        var generator = SeededRandomNumberGenerator(seed: 0xC0FFEE)
        var tally = Tally()
        for _ in 0..<1_500 {
            var bytes = Fixtures.validBytes
            for _ in 0...generator.nextIndex(below: 2) { mutate(&bytes, using: &generator) }
            resealAll(&bytes)
            check(bytes, &tally)
        }
        #expect(tally.accepted + tally.rejected == 1_500)
        #expect(tally.errorCases.count >= 8, "only \(tally.errorCases.sorted()) were reached")
    }

    @Test func resealedManifestMutationsReachTheContentChecks() {
        var generator = SeededRandomNumberGenerator(seed: 0xFACADE)
        var tally = Tally()
        let original = RawContainer(Fixtures.validBytes)
        for _ in 0..<1_500 {
            var container = original
            var text = container.sections[0].payload
            for _ in 0...generator.nextIndex(below: 2) { mutateJSON(&text, using: &generator) }
            container.sections[0].payload = text
            check(container.assembled(), &tally)
        }
        #expect(tally.accepted + tally.rejected == 1_500)
        #expect(tally.accepted > 0, "some digit changes (metadata, quantization scales) keep the file valid")
        #expect(tally.errorCases.isSuperset(of: ["invalidManifest", "invalidByteRange", "byteLengthMismatch", "invalidGraph"]),
            "only \(tally.errorCases.sorted()) were reached")
    }

    @Test func resealedGraphMutationsReachTheGraphChecks() {
        // Token mutations inside the manifest's `graph` object only: names, ops, attributes,
        // shapes and wiring, so the schema decoder, the graph limits, op validation and the
        // tensor-table-equals-declared-weights rule are exercised.
        var generator = SeededRandomNumberGenerator(seed: 0x6EA9)
        var tally = Tally()
        let original = RawContainer(Fixtures.validBytes)
        let manifest = Array(original.manifest.utf8)
        let graphStart = manifest.firstRange(of: Array("\"graph\":".utf8))!.upperBound
        let graphEnd = manifest.firstRange(of: Array(",\"metadata\":".utf8))!.lowerBound
        for _ in 0..<1_000 {
            var graph = Array(manifest[graphStart..<graphEnd])
            for _ in 0...generator.nextIndex(below: 2) { mutateJSON(&graph, using: &generator) }
            var container = original
            container.sections[0].payload = Array(manifest[..<graphStart]) + graph + Array(manifest[graphEnd...])
            check(container.assembled(), &tally)
        }
        #expect(tally.accepted + tally.rejected == 1_000)
        #expect(tally.accepted > 0, "some changes (float attributes, unused names) keep the graph valid")
        #expect(tally.errorCases.isSuperset(of: ["invalidManifest", "invalidGraph"]),
            "only \(tally.errorCases.sorted()) were reached")
    }

    // MARK: Files with coded tensors (coded encodings, compressed manifest)

    @Test func everyTruncationOfACodedFileIsRejected() {
        var tally = Tally()
        let valid = CodedFixtures.validBytes
        for length in 0..<valid.count { check(Array(valid[0..<length]), &tally) }
        #expect(tally.accepted == 0)
        #expect(tally.rejected == valid.count)
    }

    @Test func rawAndResealedMutationsOfACodedFile() {
        var generator = SeededRandomNumberGenerator(seed: 0xC0DED)
        var tally = Tally()
        for round in 0..<2_000 {
            var bytes = CodedFixtures.validBytes
            for _ in 0...generator.nextIndex(below: 2) { mutate(&bytes, using: &generator) }
            if round % 2 == 1 { resealAll(&bytes) }
            check(bytes, &tally)
        }
        #expect(tally.accepted + tally.rejected == 2_000)
        #expect(tally.errorCases.count >= 8, "only \(tally.errorCases.sorted()) were reached")
    }

    @Test func resealedDataMutationsOfACodedFileReachTheDecoders() {
        // Only DATA bytes change (checksums recomputed): the payload and Huffman decoders see them.
        var generator = SeededRandomNumberGenerator(seed: 0xDA7A)
        var tally = Tally()
        let original = RawContainer(CodedFixtures.validBytes)
        for _ in 0..<500 {
            var container = original
            var data = container.sections[1].payload
            for _ in 0...generator.nextIndex(below: 3) {
                let position = generator.nextIndex(below: data.count)
                if generator.next() % 2 == 0 {
                    data[position] ^= UInt8(1) << UInt8(generator.nextIndex(below: 8))
                } else {
                    data[position] = UInt8(truncatingIfNeeded: generator.next())
                }
            }
            container.sections[1].payload = data
            check(container.assembled(), &tally)
        }
        #expect(tally.accepted > 0 && tally.rejected > 0)
        #expect(tally.errorCases.isSuperset(of: ["invalidEncoding", "nonZeroPadding"]), "only \(tally.errorCases.sorted())")
    }

    @Test func resealedManifestMutationsOfACodedFile() {
        var generator = SeededRandomNumberGenerator(seed: 0xDE5C)
        var tally = Tally()
        let original = RawContainer(CodedFixtures.validBytes)
        for _ in 0..<800 {
            var container = original
            // The JSON is mutated, then compressed again into the MNFZ section.
            var text = Array(container.manifest.utf8)
            for _ in 0...generator.nextIndex(below: 2) { mutateJSON(&text, using: &generator) }
            container.sections[0].payload = try! ManifestCompression.compress(text)
            check(container.assembled(), &tally)
        }
        #expect(tally.accepted + tally.rejected == 800)
        #expect(tally.errorCases.isSuperset(of: ["invalidManifest", "invalidEncoding", "byteLengthMismatch"]),
            "only \(tally.errorCases.sorted()) were reached")
    }
}
