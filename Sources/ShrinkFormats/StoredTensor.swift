import ShrinkEncodings
import ShrinkNN
import ShrinkTensor

/// One named tensor of a model file: its values decoded to fp32 and, for compressed tensors, the
/// encoded form the file stores.
public struct StoredTensor: Equatable, Sendable {
    /// The hierarchical parameter name, e.g. `fc1.weight`.
    public var name: String
    /// Whether the tensor is trained or a buffer.
    public var kind: Parameter.Kind
    /// The values (for an encoded tensor: exactly `encoding.coded.values()`).
    public var value: Tensor
    /// The stored form; `nil` stores `value` as `dense-f32`. When set, the writer stores this and
    /// checks that it decodes to `value` bit for bit.
    public var encoding: StoredEncoding?

    /// Creates a dense fp32 stored tensor.
    public init(name: String, kind: Parameter.Kind = .trainable, value: Tensor) {
        self.name = name
        self.kind = kind
        self.value = value
        self.encoding = nil
    }

    /// Creates an encoded stored tensor of `shape`; `value` is decoded from `encoding.coded`.
    ///
    /// - Throws: `ModelFileError.invalidEncoding` when the element count differs from the shape's.
    public init(name: String, kind: Parameter.Kind = .trainable, shape: [Int], encoding: StoredEncoding) throws {
        var count: Int? = 1
        for dimension in shape {
            guard let product = count, dimension >= 0 else { count = nil; break }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            count = overflow ? nil : next
        }
        guard let count, encoding.coded.elementCount == count else {
            throw ModelFileError.invalidEncoding(
                tensor: name, reason: "\(encoding.coded.elementCount) coded elements for shape \(shape)")
        }
        self.name = name
        self.kind = kind
        self.value = Tensor(shape: shape, scalars: encoding.coded.values())
        self.encoding = encoding
    }

    /// Copies a parameter's name, kind and current value.
    public init(_ parameter: Parameter) {
        self.init(name: parameter.name, kind: parameter.kind, value: parameter.value)
    }
}
