/// An encoded tensor: its descriptor and its payload bytes.
public struct EncodedTensor: Equatable, Sendable {
    /// What the container stores next to the payload (element count, format, layout, entries).
    public var descriptor: EncodingDescriptor
    /// The payload: side table then codes (docs/ENCODINGS.md); `descriptor.byteCount()` bytes.
    public var payload: [UInt8]

    /// Pairs a descriptor with its payload (no validation; `TensorCodec.decode` validates).
    public init(descriptor: EncodingDescriptor, payload: [UInt8]) {
        self.descriptor = descriptor
        self.payload = payload
    }
}
