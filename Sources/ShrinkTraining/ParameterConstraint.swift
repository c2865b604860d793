import ShrinkNN
import ShrinkTensor

/// A condition on parameter values that training re-establishes after every optimizer step
/// (and once before the first), e.g. "pruned weights stay exactly zero".
public protocol ParameterConstraint {
    /// Modifies `parameters` in place so that they satisfy the constraint.
    func apply(to parameters: [Parameter])
}

/// Keeps the weights where a 0/1 mask is zero at exactly zero: the constraint that
/// fine-tuning after pruning needs.
public struct MaskConstraint: ParameterConstraint {
    /// Masks by full parameter name (`fc1.weight`), each of the parameter's shape; an element is
    /// forced to zero where its mask element is 0. Parameters without a mask are left alone.
    public var masks: [String: Tensor]

    public init(masks: [String: Tensor]) {
        self.masks = masks
    }

    public func apply(to parameters: [Parameter]) {
        for parameter in parameters {
            guard let mask = masks[parameter.name] else { continue }
            precondition(mask.shape == parameter.value.shape,
                         "mask \(mask.shape) does not match \(parameter.name) \(parameter.value.shape)")
            parameter.value.withUnsafeMutableBufferPointer { weights in
                mask.withUnsafeBufferPointer { keep in
                    for index in 0..<weights.count where keep[index] == 0 { weights[index] = 0 }
                }
            }
        }
    }
}
