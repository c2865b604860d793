import ShrinkEncodings
import ShrinkTensor
import Testing

/// Hostile and damaged inputs: every decoder must either throw `EncodingError` or return a
/// well-formed result, never trap, hang or allocate beyond its element limit.
@Suite struct RobustnessTests {
    /// A seeded mutation of `bytes`: bit flips, truncation, extension or a random byte run.
    static func mutate(_ bytes: [UInt8], _ generator: inout SeededRandomNumberGenerator) -> [UInt8] {
        var result = bytes
        switch generator.next() % 5 {
        case 0 where !result.isEmpty:
            for _ in 0...(generator.next() % 4) {
                let index = Int(generator.next() % UInt64(result.count))
                result[index] ^= UInt8(1 << (generator.next() % 8))
            }
        case 1:
            result.removeLast(Int(generator.next() % UInt64(result.count + 1)))
        case 2:
            result += (0..<(1 + generator.next() % 9)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        case 3 where !result.isEmpty:
            let start = Int(generator.next() % UInt64(result.count))
            for index in start..<min(result.count, start + 8) { result[index] = UInt8(truncatingIfNeeded: generator.next()) }
        default:
            if !result.isEmpty { result[Int(generator.next() % UInt64(result.count))] = 0xFF }
        }
        return result
    }

    /// A random (often hostile) replacement for one descriptor field.
    static func hostileCount(_ generator: inout SeededRandomNumberGenerator, near value: Int) -> Int {
        switch generator.next() % 6 {
        case 0: return -1 - Int(generator.next() % 10)
        case 1: return 1 << 40
        case 2: return Int.max - Int(generator.next() % 3)
        case 3: return value + 1
        case 4: return max(0, value - 1)
        default: return Int(generator.next() % 70_000)
        }
    }

    static func mutate(_ descriptor: EncodingDescriptor, _ generator: inout SeededRandomNumberGenerator) -> EncodingDescriptor {
        var result = descriptor
        switch generator.next() % 4 {
        case 0:
            result.elementCount = hostileCount(&generator, near: descriptor.elementCount)
        case 1:
            result.entryCount = hostileCount(&generator, near: descriptor.entryCount)
        case 2:
            let bits = Int(generator.next() % 40) - 3
            switch descriptor.format {
            case let .affine(_, isSigned, channels): result.format = .affine(bits: bits, isSigned: isSigned, channelCount: channels)
            case let .palette(_, centroids, format): result.format = .palette(bits: bits, centroidCount: centroids, centroidFormat: format)
            case .float32: result.format = .float16
            case .float16: result.format = .float32
            }
            if case .sparse = descriptor.layout, generator.next() % 2 == 0 { result.layout = .sparse(gapBits: bits) }
        default:
            switch descriptor.format {
            case let .affine(bits, isSigned, channels):
                result.format = .affine(bits: bits, isSigned: isSigned, channelCount: hostileCount(&generator, near: channels))
            case let .palette(bits, centroids, format):
                result.format = .palette(bits: bits, centroidCount: hostileCount(&generator, near: centroids), centroidFormat: format)
            default:
                result.layout = result.layout == .dense ? .sparse(gapBits: 4) : .dense
            }
        }
        return result
    }

    static func sampleEncodings() throws -> [EncodedTensor] {
        let values = TestValues.floats(count: 61, seed: 5)
        let codes = TestValues.codes(count: 60, bits: 5, seed: 6).map { Int32($0) - 16 }
        let affine = try CodedTensor.affine(codes: codes, bits: 5, isSigned: true, scales: [0.1, 0.2, 0.3], zeroPoints: [0, -3, 15])
        let indices = TestValues.codes(count: 77, bits: 3, seed: 7).map { UInt16($0 % 6) }
        let palette = try CodedTensor.palette(indices: indices, centroids: [0, 1, -1, 0.5, -0.5, 2], bits: 3, centroidFormat: .float16)
        var result = [EncodedTensor]()
        for tensor in [CodedTensor.float32(values), .float16(values), affine, palette] {
            for layout in [StorageLayout.dense, .sparse(gapBits: 2), .sparse(gapBits: 5)] {
                result.append(try TensorCodec.encode(tensor, layout: layout))
            }
        }
        return result
    }

    @Test func tensorDecoderSurvivesMutatedPayloadsAndDescriptors() throws {
        var generator = SeededRandomNumberGenerator(seed: 2024)
        var outcomes = (decoded: 0, rejected: 0)
        for (index, encoded) in try Self.sampleEncodings().enumerated() {
            for trial in 0..<250 {
                var payload = encoded.payload, descriptor = encoded.descriptor
                if trial % 3 != 2 { payload = Self.mutate(payload, &generator) }
                if trial % 3 != 0 { descriptor = Self.mutate(descriptor, &generator) }
                do {
                    let tensor = try TensorCodec.decode(payload, descriptor: descriptor, maximumElements: 1 << 20)
                    #expect(tensor.values().count == descriptor.elementCount, "sample \(index) trial \(trial)")
                    outcomes.decoded += 1
                } catch {
                    #expect(!error.description.isEmpty)
                    outcomes.rejected += 1
                }
            }
        }
        #expect(outcomes.decoded + outcomes.rejected == 3000)
        #expect(outcomes.rejected > 1000 && outcomes.decoded > 100) // both paths are exercised
    }

    @Test func hostileCountsAreRejectedBeforeAllocation() throws {
        let huge = 1 << 40
        let descriptors = [
            EncodingDescriptor(elementCount: huge, format: .float32, layout: .dense),
            EncodingDescriptor(elementCount: huge, format: .palette(bits: 4, centroidCount: 16, centroidFormat: .float32), layout: .sparse(gapBits: 4), entryCount: huge),
            EncodingDescriptor(elementCount: Int.max, format: .affine(bits: 16, isSigned: true, channelCount: 1), layout: .dense),
        ]
        for descriptor in descriptors {
            #expect(throws: EncodingError.tooManyElements(name: "encoded tensor", count: descriptor.elementCount, maximum: 1 << 20)) {
                try TensorCodec.decode([0, 1, 2, 3], descriptor: descriptor, maximumElements: 1 << 20)
            }
            // Even with no element limit, the payload length is checked before allocating.
            #expect(throws: EncodingError.self) { try TensorCodec.decode([0, 1, 2, 3], descriptor: descriptor, maximumElements: Int.max) }
        }
        let code = try HuffmanCode(frequencies: [3, 1])
        #expect(throws: EncodingError.self) { try code.decode([0xFF], symbolCount: huge, maximumElements: Int.max) }
        #expect(throws: EncodingError.self) { try code.decode([0xFF], symbolCount: huge, maximumElements: 100) }
        // A serialized table claiming a 2^31-symbol alphabet.
        #expect(throws: EncodingError.self) { try HuffmanCode.deserialize(from: [0, 0, 0, 0x80, 4, 0x11]) }
        #expect(throws: EncodingError.self) { try HuffmanCode.deserialize(from: [0xFF, 0xFF, 0x0F, 0, 5], maximumAlphabetSize: Int.max) }
    }

    @Test func huffmanDecoderSurvivesMutatedStreamsAndTables() throws {
        var generator = SeededRandomNumberGenerator(seed: 77)
        let symbols = HuffmanCodeTests.symbols(count: 300, alphabetSize: 40, skew: 3, seed: 8)
        let code = try HuffmanCode(frequencies: try HuffmanCode.frequencies(of: symbols, alphabetSize: 40), maximumLength: 9)
        let stream = try code.encode(symbols)
        let table = code.serialized()
        var outcomes = (decoded: 0, rejected: 0)
        for trial in 0..<1500 {
            do {
                var usedCode = code
                var count = symbols.count
                if trial % 2 == 0 {
                    usedCode = try HuffmanCode.deserialize(from: Self.mutate(table, &generator)).code
                } else if trial % 5 == 1 {
                    count = Self.hostileCount(&generator, near: count)
                }
                let decoded = try usedCode.decode(trial % 2 == 0 ? stream : Self.mutate(stream, &generator),
                                                  symbolCount: count, maximumElements: 1 << 16)
                #expect(decoded.count == count)
                #expect(decoded.allSatisfy { Int($0) < usedCode.alphabetSize })
                outcomes.decoded += 1
            } catch {
                #expect(!error.description.isEmpty)
                outcomes.rejected += 1
            }
        }
        #expect(outcomes.rejected > 300 && outcomes.decoded > 10)
    }

    @Test func bitUnpackingSurvivesMutatedInputs() {
        var generator = SeededRandomNumberGenerator(seed: 11)
        for trial in 0..<1000 {
            let bits = 1 + trial % 32
            let count = Int(generator.next() % 50)
            let bytes = (0..<BitPacking.packedByteCount(count: count, bits: bits)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let mutated = Self.mutate(bytes, &generator)
            let claimed = trial % 4 == 0 ? Self.hostileCount(&generator, near: count) : count
            if let codes = try? BitPacking.unpack(mutated, count: claimed, bits: bits, maximumElements: 1 << 16) {
                #expect(codes.count == claimed)
                #expect(codes.allSatisfy { UInt64($0) < UInt64(1) << UInt64(bits) })
            }
        }
    }
}
