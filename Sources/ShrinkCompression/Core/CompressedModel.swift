import ShrinkNN
import ShrinkTensor

/// A model on its way through a compression pipeline: the network, whose parameter values are
/// always the values inference should use (pruned weights are zero, quantized weights hold their
/// de-quantized values), plus what each step decided about how every tensor is to be stored.
///
/// The container writer (issue "Container format") turns `parameterStates` into encodings; the
/// trainer keeps `constraints` satisfied whenever a later step fine-tunes.
public final class CompressedModel {
    /// The network; steps that change the graph (structured pruning, distillation) replace it.
    public var network: GraphNetwork
    /// Per parameter name (`fc1.weight`): masks, quantization, palettes decided so far.
    public var parameterStates: [String: ParameterCompressionState]
    /// Quantization of activations at node inputs, by node name (static int8, QAT): the node's
    /// first input value is quantized with these parameters.
    public var activationQuantization: [String: QuantizationParameters]
    /// What every step did, in order.
    public var stepReports: [CompressionStepReport]
    /// Nodes whose input activations are quantized per batch at run time (int8 dynamic), by
    /// node name, with the scheme; scale and zero point come from each batch's min/max.
    /// A node is in at most one of this and `activationQuantization`.
    public var dynamicActivationQuantization: [String: QuantizationScheme] = [:]

    public init(network: GraphNetwork) {
        self.network = network
        self.parameterStates = [:]
        self.activationQuantization = [:]
        self.stepReports = []
    }

    /// The state of one parameter, created empty on first access.
    public func state(of parameterName: String) -> ParameterCompressionState {
        parameterStates[parameterName] ?? ParameterCompressionState()
    }

    /// The nodes that own a weight matrix (`WeightRole.matrix`: Linear, convolution, …), in
    /// execution order, with that weight: the units compression settings address. A node with
    /// several matrices appears once per matrix.
    public var weightLayers: [(layer: WeightNode, weight: Parameter)] {
        let graph = network.graph
        return graph.nodes.indices.flatMap { index -> [(layer: WeightNode, weight: Parameter)] in
            let node = graph.nodes[index]
            let parameters = network.parameters(ofNode: index)
            return zip(network.resolved.operators[index].weights, parameters).compactMap { declaration, parameter in
                guard declaration.role == .matrix else { return nil }
                return (WeightNode(name: node.name, typeName: node.operatorType, index: index), parameter)
            }
        }
    }
}

extension CompressedModel {
    /// The bias of a weight node (its weight with role `.bias`), if it has one.
    public func bias(of node: WeightNode) -> Parameter? {
        let declarations = network.resolved.operators[node.index].weights
        let parameters = network.parameters(ofNode: node.index)
        return zip(declarations, parameters).first { $0.0.role == .bias }?.1
    }
}

/// A graph node that owns weights, as compression settings and reports address it.
public struct WeightNode: Equatable, Sendable {
    /// The node's name (`fc1`), the prefix of its weights' names.
    public var name: String
    /// The node's op type (`Linear`, `Conv2D`); per-layer settings match it case-insensitively
    /// (`linear`, `conv2d` in recipes).
    public var typeName: String
    /// The node's index in the network's graph.
    public var index: Int

    public init(name: String, typeName: String, index: Int) {
        self.name = name
        self.typeName = typeName
        self.index = index
    }
}

/// What compression decided about one parameter tensor's storage.
public struct ParameterCompressionState: Equatable, Sendable {
    /// Elements kept (1) or pruned (0), the parameter's shape; `nil` when not pruned.
    public var mask: Tensor?
    /// Linear (affine) quantization of the values; `nil` when not quantized.
    public var quantization: QuantizationParameters?
    /// The integer codes the quantization produced (row-major, one per element): what the file
    /// stores, so export writes them as they are instead of re-quantizing the float values.
    /// Cleared whenever `quantization` is.
    public var codes: [Int32]?
    /// Shared weights: the value of element i is `palette.centroids[palette.indices[i]]`.
    public var palette: Palette?
    /// Whether values are stored as IEEE half precision.
    public var storesFloat16: Bool

    public init(mask: Tensor? = nil, quantization: QuantizationParameters? = nil, codes: [Int32]? = nil, palette: Palette? = nil,
                storesFloat16: Bool = false) {
        self.mask = mask
        self.quantization = quantization
        self.codes = codes
        self.palette = palette
        self.storesFloat16 = storesFloat16
    }
}

/// Linear quantization `q = clamp(round(x / scale) + zeroPoint, qmin, qmax)`, `x ≈ (q − zeroPoint)·scale`,
/// per tensor (one scale) or per channel (one scale per slice along `axis`).
public struct QuantizationParameters: Codable, Equatable, Sendable {
    /// Bits per value, 1...16.
    public var bits: Int
    /// Whether the integer range is signed (`-2^(b-1) ... 2^(b-1)-1`) or unsigned (`0 ... 2^b-1`).
    public var isSigned: Bool
    /// Symmetric schemes have every zero point 0 (signed) or 2^(b-1) (unsigned).
    public var isSymmetric: Bool
    /// The channel axis for per-channel parameters; `nil` for per-tensor.
    public var axis: Int?
    /// One scale per channel (or one), all positive and finite.
    public var scales: [Float]
    /// One zero point per channel (or one), within the integer range.
    public var zeroPoints: [Int32]

    public init(bits: Int, isSigned: Bool, isSymmetric: Bool, axis: Int?, scales: [Float], zeroPoints: [Int32]) {
        self.bits = bits
        self.isSigned = isSigned
        self.isSymmetric = isSymmetric
        self.axis = axis
        self.scales = scales
        self.zeroPoints = zeroPoints
    }

    /// The smallest representable integer.
    public var minimumCode: Int32 { isSigned ? -(Int32(1) << (bits - 1)) : 0 }
    /// The largest representable integer.
    public var maximumCode: Int32 { isSigned ? (Int32(1) << (bits - 1)) - 1 : (Int32(1) << bits) - 1 }
}

/// A weight-sharing codebook: `centroids` and, per element, the index of its centroid.
public struct Palette: Equatable, Sendable {
    /// Bits per index: `centroids.count <= 2^bits`.
    public var bits: Int
    public var centroids: [Float]
    /// One index per tensor element (row-major).
    public var indices: [UInt16]

    public init(bits: Int, centroids: [Float], indices: [UInt16]) {
        self.bits = bits
        self.centroids = centroids
        self.indices = indices
    }
}
