/// How `ONNXImporter` turns an ONNX model into a Shrink graph.
public struct ONNXImportOptions: Sendable, Equatable {
    /// The preprocessing the model expects, applied by a first `InputNormalization` node (and a
    /// `Transpose` for NHWC models) so the file carries it: datasets then feed raw pixels in
    /// `[0, 1]`, channels first.
    public var preprocessing: InputPreprocessing?
    /// The per-sample shape of the first input (`[1, 28, 28]`) when the model leaves some of its
    /// dimensions symbolic.
    public var inputSampleShape: [Int]?
    /// Whether the inputs' first axis becomes the symbolic batch (any batch size runs) or keeps
    /// the size the model declares (ONNX's node tests run at exactly their shapes).
    public var batchAxis: BatchAxis

    /// How an input's first axis is read.
    public enum BatchAxis: String, Sendable, Equatable {
        /// A symbolic first axis, or a fixed size 1, becomes `batch`.
        case symbolic
        /// Fixed sizes stay fixed.
        case asDeclared
    }

    public init(preprocessing: InputPreprocessing? = nil, inputSampleShape: [Int]? = nil, batchAxis: BatchAxis = .symbolic) {
        self.preprocessing = preprocessing
        self.inputSampleShape = inputSampleShape
        self.batchAxis = batchAxis
    }
}

/// The input preprocessing a model was trained with: `y = (x · scale − mean[c]) / std[c]` per
/// channel, on data laid out as `layout` expects.
public struct InputPreprocessing: Sendable, Equatable, Codable {
    /// Multiplies the raw input first (`1/255` for byte pixels; `1` for pixels in `[0, 1]`).
    public var scale: Float
    /// Per-channel means (one value: every channel).
    public var mean: [Float]
    /// Per-channel standard deviations (one value: every channel).
    public var standardDeviation: [Float]
    /// The layout of the model's own input; Shrink's datasets are channels-first (NCHW), so an
    /// NHWC model gets a transpose after the normalization.
    public var layout: Layout

    /// The channel order of an image input.
    public enum Layout: String, Sendable, Equatable, Codable, CaseIterable {
        case nchw, nhwc
    }

    public init(scale: Float = 1, mean: [Float] = [], standardDeviation: [Float] = [], layout: Layout = .nchw) {
        self.scale = scale
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.layout = layout
    }

    enum CodingKeys: String, CodingKey {
        case scale, mean, layout
        case standardDeviation = "standard_deviation"
    }
}
