/// One evaluated point: a single layer compressed with one technique at one setting, written as a
/// model file and run by the runtime on the test set.
public struct SensitivityPoint: Codable, Equatable, Sendable {
    /// The weight layer (graph node) that was compressed; every other layer is untouched.
    public var layer: String
    public var technique: SensitivityTechnique
    /// The sparsity (0...1) or the bit width.
    public var setting: Double
    /// Top-1 and top-5 accuracy of the written file on the test set.
    public var top1: Double
    public var top5: Double
    /// Mean cross-entropy of the file's logits.
    public var meanLoss: Double
    /// Bytes of the written model file.
    public var fileBytes: Int

    enum CodingKeys: String, CodingKey {
        case layer, technique, setting, top1 = "top1_accuracy", top5 = "top5_accuracy", meanLoss = "mean_loss",
             fileBytes = "file_bytes"
    }
}

/// A weight layer of the analysed model.
public struct SensitivityLayer: Codable, Equatable, Sendable {
    public var name: String
    /// The op type (`Linear`, `Conv2D`).
    public var operatorType: String
    /// Elements of its weight matrix.
    public var weightCount: Int

    enum CodingKeys: String, CodingKey {
        case name, operatorType = "operator", weightCount = "weight_count"
    }
}

/// The result of a sensitivity analysis: the baseline, the layers and every point.
public struct SensitivityReport: Codable, Equatable, Sendable {
    /// The graph's name (`lenet-300-100`).
    public var model: String
    /// Test samples every point was evaluated on.
    public var samples: Int
    /// The input file run by the runtime.
    public var baselineTop1: Double
    public var baselineTop5: Double
    public var baselineFileBytes: Int
    public var layers: [SensitivityLayer]
    public var configuration: SensitivityConfiguration
    /// In order: layer, then technique, then setting.
    public var points: [SensitivityPoint]

    enum CodingKeys: String, CodingKey {
        case model, samples, baselineTop1 = "baseline_top1_accuracy", baselineTop5 = "baseline_top5_accuracy",
             baselineFileBytes = "baseline_file_bytes", layers, configuration, points
    }

    /// The points of one layer and technique, in setting order.
    public func points(layer: String, technique: SensitivityTechnique) -> [SensitivityPoint] {
        points.filter { $0.layer == layer && $0.technique == technique }
    }

    /// The largest swept sparsity or fraction of units (or, for bits, the smallest width) at which `layer` stays
    /// within `maximumDrop` (a fraction, 0.01 = one point) of the baseline's top-1; nil when no
    /// setting does.
    public func tolerated(layer: String, technique: SensitivityTechnique, maximumDrop: Double) -> Double? {
        let within = points(layer: layer, technique: technique).filter { baselineTop1 - $0.top1 <= maximumDrop }
        switch technique {
        case .pruning, .structuredPruning: return within.map(\.setting).max()
        case .quantization, .clustering: return within.map(\.setting).min()
        }
    }
}
