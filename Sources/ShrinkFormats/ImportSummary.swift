import Foundation

/// Where an imported model came from (written by `shrink import`).
public struct ImportSummary: Codable, Equatable, Sendable {
    /// The source file's name (no folders), e.g. `resnet18.onnx`.
    public var source: String
    /// The source file's SHA-256, lowercase hex.
    public var sourceSHA256: String
    /// The source's format, `onnx`.
    public var format: String
    /// The program that wrote the source, e.g. `pytorch 2.5.0`, if it said.
    public var producer: String?
    /// The source's default-domain operator set version.
    public var opset: Int?
    /// The input preprocessing given at import (also the graph's first nodes).
    public var preprocessing: InputPreprocessing?

    /// Creates an import summary.
    public init(source: String, sourceSHA256: String, format: String = "onnx", producer: String? = nil, opset: Int? = nil,
                preprocessing: InputPreprocessing? = nil) {
        self.source = source
        self.sourceSHA256 = sourceSHA256
        self.format = format
        self.producer = producer
        self.opset = opset
        self.preprocessing = preprocessing
    }

    enum CodingKeys: String, CodingKey {
        case source, format, producer, opset, preprocessing
        case sourceSHA256 = "source_sha256"
    }
}

/// The input preprocessing a model expects, applied to what Shrink's data sets give:
/// `y = (x · scale − mean[c]) / std[c]` per channel, then laid out as `layout` says. (Shrink's
/// MNIST loader already standardizes pixels, so a model trained the same way needs none.)
public struct InputPreprocessing: Sendable, Equatable, Codable {
    /// Multiplies the input first.
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
