import ShrinkFormats

/// How `ONNXImporter` turns an ONNX model into a Shrink graph.
public struct ONNXImportOptions: Sendable, Equatable {
    /// The preprocessing the model expects, applied by a first `InputNormalization` node (and a
    /// `Transpose` for NHWC models) so the file carries it; data sets feed their own
    /// (channels-first) samples.
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
