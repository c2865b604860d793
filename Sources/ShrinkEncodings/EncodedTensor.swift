/// An encoded tensor: its descriptor and its payload bytes.
public struct EncodedTensor: Equatable, Sendable {
    public var descriptor: EncodingDescriptor
    public var payload: [UInt8]

    public init(descriptor: EncodingDescriptor, payload: [UInt8]) {
        self.descriptor = descriptor
        self.payload = payload
    }
}
