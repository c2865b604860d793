/// Whether a forward pass is part of training (caches activations for `backward`, dropout and
/// batch statistics active) or inference.
public enum ForwardMode: Sendable {
    case training
    case inference
}
