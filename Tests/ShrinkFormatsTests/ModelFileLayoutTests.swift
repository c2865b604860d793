import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// Checks the written bytes against docs/FORMAT.md with an independent CRC-32, so the
/// specification and the writer cannot drift apart unnoticed.
@Suite struct ModelFileLayoutTests {
    /// Bitwise CRC-32 (reflected polynomial 0xEDB88320), independent of zlib.
    private func referenceCRC32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }

    @Test func checksumIsTheStandardCRC32() {
        let check = Array("123456789".utf8)
        #expect(referenceCRC32(check[...]) == 0xCBF4_3926)
        #expect(check.withUnsafeBytes { Checksum.crc32($0) } == 0xCBF4_3926)
        // Chaining equals one pass.
        let first = check.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<4])) }
        #expect(Checksum.crc32(check, 4..<9, continuing: first) == 0xCBF4_3926)
    }

    @Test func bytesFollowTheSpecification() throws {
        let bytes = Fixtures.validBytes
        #expect(Array(bytes[0..<8]) == [0x89, 0x53, 0x48, 0x52, 0x4B, 0x0D, 0x0A, 0x0A])
        #expect(bytes.littleEndianUInt16(at: 8) == 2)
        #expect(bytes.littleEndianUInt16(at: 10) == 0)
        #expect(bytes.littleEndianUInt32(at: 12) == 0)
        #expect(bytes.littleEndianUInt64(at: 16) == UInt64(bytes.count))
        #expect(bytes.littleEndianUInt32(at: 24) == 2)
        let tableEnd = 32 + 2 * 32
        #expect(bytes.littleEndianUInt32(at: 28) == referenceCRC32(bytes[0..<28] + bytes[32..<tableEnd]))

        // Section 0: manifest right after the table; section 1: data at a 64-byte boundary, to the end.
        #expect(Array(bytes[32..<36]) == Array("MNFT".utf8))
        #expect(Array(bytes[64..<68]) == Array("DATA".utf8))
        #expect(bytes.littleEndianUInt32(at: 36) == 1 && bytes.littleEndianUInt32(at: 68) == 1)
        let manifestOffset = Int(bytes.littleEndianUInt64(at: 40))
        let manifestLength = Int(bytes.littleEndianUInt64(at: 48))
        let dataOffset = Int(bytes.littleEndianUInt64(at: 72))
        let dataLength = Int(bytes.littleEndianUInt64(at: 80))
        #expect(manifestOffset == tableEnd)
        #expect(bytes.littleEndianUInt32(at: 56) == 8 && bytes.littleEndianUInt32(at: 88) == 64)
        #expect(dataOffset % 64 == 0 && dataOffset >= manifestOffset + manifestLength && dataOffset - (manifestOffset + manifestLength) < 64)
        #expect(dataOffset + dataLength == bytes.count)
        #expect(bytes.littleEndianUInt32(at: 60) == referenceCRC32(bytes[manifestOffset..<manifestOffset + manifestLength]))
        #expect(bytes.littleEndianUInt32(at: 92) == referenceCRC32(bytes[dataOffset..<dataOffset + dataLength]))

        // The first tensor's values are its little-endian binary32 bit patterns at data offset 0.
        let manifest = String(decoding: bytes[manifestOffset..<manifestOffset + manifestLength], as: UTF8.self)
        #expect(manifest.hasPrefix("{\"activation_quantization\":[{\"bits\":4,"))
        #expect(manifest.contains(",\"graph\":{\"inputs\":[{\"element_type\":\"float32\",\"name\":\"input\",\"shape\":[\"batch\",1,6,6]}],"))
        #expect(manifest.contains(#""encoding":{"tag":"dense-f32"}"#))
        let first = Fixtures.model().tensors[0].value.scalars[0].bitPattern
        #expect(bytes.littleEndianUInt32(at: dataOffset) == first)
    }

    @Test func everyTensorStartsAtA64ByteBoundary() throws {
        let container = RawContainer(Fixtures.validBytes)
        let manifest = container.manifest
        // Every stored offset in the tensor table is a multiple of 64.
        var offsets: [Int] = []
        var rest = Substring(manifest)
        while let range = rest.range(of: "\"offset\":") {
            rest = rest[range.upperBound...]
            offsets.append(Int(rest.prefix { $0.isNumber }) ?? -1)
        }
        #expect(offsets.count == Fixtures.model().tensors.count)
        #expect(offsets.allSatisfy { $0 >= 0 && $0 % 64 == 0 })
    }
}
