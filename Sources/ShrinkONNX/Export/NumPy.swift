import ShrinkTensor

/// The bytes of an `.npy` file (NumPy format 1.0) holding `tensor` as little-endian float32 in
/// C order, readable with `numpy.load`.
public func numPyBytes(_ tensor: Tensor) -> [UInt8] {
    let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
    // Magic (6) + version (2) + length (2) + header + newline, padded to a multiple of 64.
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    let length = UInt16(header.utf8.count)
    bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
    bytes += Array(header.utf8)
    bytes.reserveCapacity(bytes.count + tensor.count * 4)
    for value in tensor.scalars {
        let bits = value.bitPattern
        bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
    }
    return bytes
}

/// Writes `tensor` as an `.npy` file (`numPyBytes`), replacing `path` atomically.
public func writeNumPy(_ tensor: Tensor, to path: String) throws(ONNXError) {
    try AtomicWrite.write(numPyBytes(tensor), to: path)
}
