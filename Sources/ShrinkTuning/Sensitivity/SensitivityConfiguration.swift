import Foundation

/// What a sensitivity analysis sweeps: for each weight layer on its own, magnitude pruning over
/// `sparsities`, structured pruning over `unitFractions`, linear weight quantization over
/// `quantizationBits` and k-means weight sharing over `clusteringBits` (Deep Compression's
/// figure 6, extended to quantization and structured pruning), each without any retraining, so a
/// point shows how much that layer alone tolerates.
public struct SensitivityConfiguration: Codable, Equatable, Sendable {
    /// The version of this configuration's fields (2 added `unitFractions`).
    public static let version = 2

    /// Fractions of a layer's weights set to zero (magnitude order), each in (0, 1).
    public var sparsities: [Double]
    /// Fractions of a layer's output units (filters) removed by structured L1 pruning, each in
    /// (0, 1). Layers whose units cannot be removed (the final classifier) have no such points.
    public var unitFractions: [Double]
    /// Bits of signed symmetric per-channel weight codes, each in 2...16.
    public var quantizationBits: [Int]
    /// Bits of palette indices (at most 2^bits shared values), each in 1...16.
    public var clusteringBits: [Int]
    /// The techniques to sweep (all four by default).
    public var techniques: [SensitivityTechnique]

    /// Deep Compression's figure 6 sparsities (10 % to 90 %, plus 95 %), an eighth to three
    /// quarters of the units, and 2 to 8 bits.
    public init(
        sparsities: [Double] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
        unitFractions: [Double] = [0.125, 0.25, 0.375, 0.5, 0.625, 0.75],
        quantizationBits: [Int] = [2, 3, 4, 5, 6, 8], clusteringBits: [Int] = [2, 3, 4, 5, 6, 8],
        techniques: [SensitivityTechnique] = SensitivityTechnique.allCases
    ) {
        self.sparsities = sparsities
        self.unitFractions = unitFractions
        self.quantizationBits = quantizationBits
        self.clusteringBits = clusteringBits
        self.techniques = techniques
    }

    enum CodingKeys: String, CodingKey { case sparsities, unitFractions, quantizationBits, clusteringBits, techniques }

    /// Reads version 1 too (no `unitFractions`: the default sweep).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sparsities = try container.decode([Double].self, forKey: .sparsities)
        unitFractions = try container.decodeIfPresent([Double].self, forKey: .unitFractions) ?? Self().unitFractions
        quantizationBits = try container.decode([Int].self, forKey: .quantizationBits)
        clusteringBits = try container.decode([Int].self, forKey: .clusteringBits)
        techniques = try container.decode([SensitivityTechnique].self, forKey: .techniques)
    }

    /// The settings swept for `technique`, in order (sparsities, or bits as Double).
    public func settings(for technique: SensitivityTechnique) -> [Double] {
        switch technique {
        case .pruning: sparsities
        case .structuredPruning: unitFractions
        case .quantization: quantizationBits.map(Double.init)
        case .clustering: clusteringBits.map(Double.init)
        }
    }

    /// Throws for an empty sweep or a setting outside its range, naming it.
    public func validate() throws(SensitivityError) {
        guard !techniques.isEmpty else { throw .invalidSetting("no technique to sweep") }
        if techniques.contains(.pruning) {
            guard !sparsities.isEmpty else { throw .invalidSetting("no sparsity to sweep") }
            if let bad = sparsities.first(where: { !($0 > 0 && $0 < 1) }) {
                throw .invalidSetting("sparsity \(bad) is outside (0, 1)")
            }
        }
        if techniques.contains(.structuredPruning) {
            guard !unitFractions.isEmpty else { throw .invalidSetting("no fraction of units to sweep") }
            if let bad = unitFractions.first(where: { !($0 > 0 && $0 < 1) }) {
                throw .invalidSetting("a fraction of units of \(bad) is outside (0, 1)")
            }
        }
        if techniques.contains(.quantization) {
            guard !quantizationBits.isEmpty else { throw .invalidSetting("no quantization bit width to sweep") }
            if let bad = quantizationBits.first(where: { !(2...16).contains($0) }) {
                throw .invalidSetting("quantization at \(bad) bits is outside 2...16 (symmetric codes need 2)")
            }
        }
        if techniques.contains(.clustering) {
            guard !clusteringBits.isEmpty else { throw .invalidSetting("no clustering bit width to sweep") }
            if let bad = clusteringBits.first(where: { !(1...16).contains($0) }) {
                throw .invalidSetting("clustering at \(bad) bits is outside 1...16")
            }
        }
    }
}

/// A compression technique a sensitivity analysis applies to one layer at a time.
public enum SensitivityTechnique: String, Codable, CaseIterable, Sendable {
    /// Magnitude pruning to a sparsity (setting: the fraction of zeros).
    case pruning
    /// Structured L1 pruning: the output units (filters) with the smallest L1 norms removed, the
    /// network really smaller (setting: the fraction of units removed).
    case structuredPruning = "structured-pruning"
    /// Weight-only linear quantization, signed symmetric per channel (setting: bits).
    case quantization
    /// k-means weight sharing with linear initialization (setting: bits of the palette index).
    case clustering

    /// How a setting of this technique reads: `50 %` or `4 bits`.
    public func label(_ setting: Double) -> String {
        switch self {
        case .pruning: "\(Int((setting * 100).rounded())) %"
        case .structuredPruning: "\(String(format: "%g", setting * 100)) % units"
        case .quantization, .clustering: "\(Int(setting)) bits"
        }
    }
}

/// Why a sensitivity analysis cannot run.
public enum SensitivityError: Error, Equatable, CustomStringConvertible {
    /// A configuration value out of range.
    case invalidSetting(String)
    /// The model has no Linear or convolution weight to analyse.
    case noWeightLayers
    /// The test set is empty.
    case noTestData
    /// A layer's name is read as a pattern and would also select other layers.
    case ambiguousLayerName(String, alsoMatches: [String])

    public var description: String {
        switch self {
        case let .invalidSetting(message): "sensitivity: \(message)"
        case .noWeightLayers: "sensitivity: the model has no Linear or convolution weight to analyse"
        case .noTestData: "sensitivity: the test set is empty"
        case let .ambiguousLayerName(name, others):
            "sensitivity: layer name \(name) is a pattern that also matches \(others.joined(separator: ", "))"
        }
    }
}
