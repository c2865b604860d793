/// SHA-256 (FIPS 180-4), computed incrementally or in one shot.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(firstChunk)
/// hasher.update(secondChunk)
/// let digest = hasher.finalize()            // 32 bytes
/// let hex = SHA256.hexString(of: digest)    // 64 lowercase hex digits
/// ```
public struct SHA256: Sendable {
    /// The size of a digest in bytes.
    public static let digestByteCount = 32
    /// The size of one message block in bytes.
    public static let blockByteCount = 64

    /// The eight working hash words `H0...H7`.
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    /// Bytes not yet forming a whole block (always fewer than 64 between calls).
    private var pending = [UInt8](repeating: 0, count: SHA256.blockByteCount)
    private var pendingCount = 0
    /// The total message length so far, in bytes.
    private var messageByteCount: UInt64 = 0

    /// Creates a hasher for an empty message.
    public init() {}

    /// Appends the bytes in `buffer` to the message.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard var source = buffer.baseAddress, buffer.count > 0 else { return }
        var remaining = buffer.count
        messageByteCount &+= UInt64(remaining)
        let pendingCount = self.pendingCount
        // Fill and flush a partially filled block first.
        if pendingCount > 0 {
            let taken = min(remaining, Self.blockByteCount - pendingCount)
            pending.withUnsafeMutableBytes { block in
                (block.baseAddress! + pendingCount).copyMemory(from: source, byteCount: taken)
            }
            self.pendingCount += taken
            source += taken
            remaining -= taken
            guard self.pendingCount == Self.blockByteCount else { return }
            let block = pending
            block.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: 1) }
            self.pendingCount = 0
        }
        // Whole blocks straight from the caller's memory.
        let wholeBlocks = remaining / Self.blockByteCount
        if wholeBlocks > 0 {
            compress(blocks: source, count: wholeBlocks)
            source += wholeBlocks * Self.blockByteCount
            remaining -= wholeBlocks * Self.blockByteCount
        }
        // Keep the tail for later.
        if remaining > 0 {
            pending.withUnsafeMutableBytes { block in
                block.baseAddress!.copyMemory(from: source, byteCount: remaining)
            }
            self.pendingCount = remaining
        }
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Appends the UTF-8 encoding of `text` to the message.
    public mutating func update(_ text: String) {
        update(Array(text.utf8))
    }

    /// The digest of the message so far (32 bytes). The hasher itself is unchanged, so more
    /// bytes may still be appended afterwards.
    public func finalize() -> [UInt8] {
        var copy = self
        let bitLength = messageByteCount &* 8
        // Padding: 0x80, zeros up to 56 mod 64, then the 64-bit big-endian bit length.
        let paddingCount = (copy.pendingCount < 56 ? 56 : 120) - copy.pendingCount
        var tail = [UInt8](repeating: 0, count: paddingCount + 8)
        tail[0] = 0x80
        for index in 0..<8 {
            tail[paddingCount + index] = UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64(index)))
        }
        copy.update(tail)
        precondition(copy.pendingCount == 0, "SHA-256 padding must end on a block boundary")
        var digest = [UInt8](repeating: 0, count: Self.digestByteCount)
        for (index, word) in copy.state.enumerated() {
            digest[4 * index] = UInt8(truncatingIfNeeded: word >> 24)
            digest[4 * index + 1] = UInt8(truncatingIfNeeded: word >> 16)
            digest[4 * index + 2] = UInt8(truncatingIfNeeded: word >> 8)
            digest[4 * index + 3] = UInt8(truncatingIfNeeded: word)
        }
        return digest
    }

    /// The SHA-256 digest (32 bytes) of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The SHA-256 digest (32 bytes) of the bytes in `buffer`.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(buffer)
        return hasher.finalize()
    }

    /// The SHA-256 digest of `bytes` as 64 lowercase hexadecimal digits.
    public static func hexDigest(_ bytes: [UInt8]) -> String {
        hexString(of: hash(bytes))
    }

    /// `bytes` as lowercase hexadecimal digits, two per byte.
    public static func hexString(of bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var characters = [UInt8]()
        characters.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Runs the compression function over `count` consecutive 64-byte blocks at `blocks`.
    private mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        state.withUnsafeMutableBufferPointer { stateWords in
            Self.roundConstants.withUnsafeBufferPointer { constantWords in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { scheduleWords in
                    Self.compress(
                        blocks: blocks, count: count, state: stateWords.baseAddress!,
                        constants: constantWords.baseAddress!, schedule: scheduleWords.baseAddress!)
                }
            }
        }
    }

    // The rotations are written out (`x &>> n | x &<< (32 - n)`) rather than calling a helper, and
    // the loops are `while` loops, so that unoptimized (debug) builds stay reasonably fast.
    private static func compress(
        blocks: UnsafeRawPointer, count: Int, state h: UnsafeMutablePointer<UInt32>,
        constants k: UnsafePointer<UInt32>, schedule w: UnsafeMutablePointer<UInt32>
    ) {
        var block = blocks
        var remaining = count
        while remaining > 0 {
            var t = 0
            while t < 16 {
                w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 &* t, as: UInt32.self))
                t &+= 1
            }
            while t < 64 {
                let x = w[t &- 15], y = w[t &- 2]
                let sigma0 = (x &>> 7 | x &<< 25) ^ (x &>> 18 | x &<< 14) ^ (x &>> 3)
                let sigma1 = (y &>> 17 | y &<< 15) ^ (y &>> 19 | y &<< 13) ^ (y &>> 10)
                w[t] = w[t &- 16] &+ sigma0 &+ w[t &- 7] &+ sigma1
                t &+= 1
            }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
            t = 0
            while t < 64 {
                let sum1 = (e &>> 6 | e &<< 26) ^ (e &>> 11 | e &<< 21) ^ (e &>> 25 | e &<< 7)
                let choice = (e & f) ^ (~e & g)
                let temporary1 = hh &+ sum1 &+ choice &+ k[t] &+ w[t]
                let sum0 = (a &>> 2 | a &<< 30) ^ (a &>> 13 | a &<< 19) ^ (a &>> 22 | a &<< 10)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                let temporary2 = sum0 &+ majority
                hh = g
                g = f
                f = e
                e = d &+ temporary1
                d = c
                c = b
                b = a
                a = temporary1 &+ temporary2
                t &+= 1
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d
            h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
            block += SHA256.blockByteCount
            remaining &-= 1
        }
    }

    /// The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}
