import Foundation
import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
import ShrinkTuning
import Testing

/// The sensitivity analysis on a small trained MLP: every point is a written file in which only
/// its layer changed, measured by the runtime, and the sweep is deterministic.
@Suite struct SensitivityAnalysisTests {
    static func weight(_ name: String, in file: ModelFile) throws -> StoredTensor {
        try #require(file.tensors.first { $0.name == name })
    }

    @Test func everyPointIsAWrittenFileInWhichOnlyItsLayerChanged() throws {
        let file = try TuningFixtures.trainedFile()
        let original = try Self.weight("fc2.weight", in: file).value.scalars

        let (pruned, _) = try SensitivityAnalysis.compressedFile(.init(layer: "fc1", technique: .pruning, setting: 0.5), file: file)
        let fc1 = try Self.weight("fc1.weight", in: pruned).value.scalars
        #expect(fc1.filter { $0 == 0 }.count == fc1.count / 2)
        #expect(try Self.weight("fc2.weight", in: pruned).value.scalars == original)

        let (quantized, _) = try SensitivityAnalysis.compressedFile(.init(layer: "fc2", technique: .quantization, setting: 3), file: file)
        #expect(try Self.weight("fc2.weight", in: quantized).encoding?.coded.format == .affine(bits: 3, isSigned: true, channelCount: 3))
        #expect(try Self.weight("fc1.weight", in: quantized).encoding?.coded.format != .affine(bits: 3, isSigned: true, channelCount: 24))
        #expect(Set(try Self.weight("fc2.weight", in: quantized).value.scalars).count <= 3 * 7)

        let (clustered, _) = try SensitivityAnalysis.compressedFile(.init(layer: "fc1", technique: .clustering, setting: 2), file: file)
        #expect(Set(try Self.weight("fc1.weight", in: clustered).value.scalars).count <= 4)
        #expect(try Self.weight("fc2.weight", in: clustered).value.scalars == original)
    }

    @Test func sweepsEveryLayerTechniqueAndSettingDeterministically() throws {
        let file = try TuningFixtures.trainedFile()
        let test = TuningFixtures.dataset(count: 300, seed: 9)
        let configuration = SensitivityConfiguration(sparsities: [0.5, 0.99], unitFractions: [0.5], quantizationBits: [2, 8], clusteringBits: [1, 6])
        var events = 0
        let report = try SensitivityAnalysis(configuration: configuration).run(file: file, testSet: test) { progress in
            if case .evaluated = progress { events += 1 }
        }
        #expect(report.layers.map(\.name) == ["fc1", "fc2"])
        // fc2 is the classifier: its units reach the output, so it has no structured point.
        #expect(report.points.count == 13 && events == 13)
        #expect(report.points.map(\.layer) == Array(repeating: "fc1", count: 7) + Array(repeating: "fc2", count: 6))
        #expect(report.points.prefix(7).map(\.setting) == [0.5, 0.99, 0.5, 2, 8, 1, 6])
        #expect(report.points(layer: "fc2", technique: .structuredPruning).isEmpty)
        #expect(report.baselineTop1 > 0.9)

        // 8-bit codes and 64 shared values keep the accuracy; pruning 99 % of fc1 destroys it.
        for (technique, setting) in [(SensitivityTechnique.quantization, 8.0), (.clustering, 6.0)] {
            for layer in ["fc1", "fc2"] {
                let point = try #require(report.points(layer: layer, technique: technique).first { $0.setting == setting })
                #expect(abs(point.top1 - report.baselineTop1) <= 0.02, "\(layer) \(technique) \(setting): \(point.top1)")
            }
        }
        let destroyed = try #require(report.points(layer: "fc1", technique: .pruning).first { $0.setting == 0.99 })
        #expect(destroyed.top1 < report.baselineTop1 - 0.2)
        #expect(report.tolerated(layer: "fc1", technique: .pruning, maximumDrop: 0.01) != 0.99)
        #expect(report.tolerated(layer: "fc1", technique: .quantization, maximumDrop: 0.02) ?? 99 <= 8)

        // A point's accuracy is the written file's: re-measure one by hand.
        let again = try SensitivityAnalysis().evaluate(.init(layer: "fc1", technique: .pruning, setting: 0.99), file: file, testSet: test)
        #expect(again == destroyed)
        // The same sweep gives the same report, and its JSON has the stable field names.
        #expect(try SensitivityAnalysis(configuration: configuration, threads: 2).run(file: file, testSet: test) == report)
        let json = try report.json()
        for field in ["\"top1_accuracy\"", "\"baseline_top1_accuracy\"", "\"file_bytes\"", "\"technique\" : \"clustering\""] {
            #expect(json.contains(field), "JSON lacks \(field)")
        }
        let html = report.html()
        for chart in ["sensitivity-pruning", "sensitivity-structured-pruning", "sensitivity-quantization", "sensitivity-clustering"] {
            #expect(html.contains("data-chart=\"\(chart)\""))
        }
        #expect(report.textTables().contains("tolerated"))
        #expect(report.textTables().contains("(cannot lose units)"))
    }

    /// Structured pruning of one layer removes its units and its reader's inputs in the written
    /// file: a really smaller network, the other weights untouched.
    @Test func structuredPointsAreSmallerWrittenNetworks() throws {
        let file = try TuningFixtures.trainedFile()
        #expect(try SensitivityAnalysis.unitGroups(of: file) == ["fc1": ["fc1"]])
        let (narrowed, bytes) = try SensitivityAnalysis.compressedFile(
            .init(layer: "fc1", technique: .structuredPruning, setting: 0.25), file: file)
        #expect(try Self.weight("fc1.weight", in: narrowed).value.shape == [18, 16])
        #expect(try Self.weight("fc1.bias", in: narrowed).value.shape == [18])
        #expect(try Self.weight("fc2.weight", in: narrowed).value.shape == [3, 18])
        // The 6 units with the smallest L1 norms went; the rest kept their exact weights.
        let original = try Self.weight("fc1.weight", in: file).value.scalars
        let norms = (0..<24).map { unit in original[(unit * 16)..<(unit * 16 + 16)].reduce(0) { $0 + abs($1) } }
        let kept = (0..<24).sorted { (norms[$0], $0) > (norms[$1], $1) }.prefix(18).sorted()
        #expect(try Self.weight("fc1.weight", in: narrowed).value.scalars == kept.flatMap { original[($0 * 16)..<($0 * 16 + 16)] })
        #expect(bytes < (try file.encoded().count) - 6 * (16 + 1 + 3) * 4 + 64)
        #expect(throws: SensitivityError.self) { try SensitivityConfiguration(unitFractions: [0]).validate() }
        #expect(throws: SensitivityError.self) { try SensitivityConfiguration(unitFractions: []).validate() }
        // A version-1 configuration (no unitFractions) reads with the default sweep.
        let version1 = #"{"sparsities":[0.5],"quantizationBits":[4],"clusteringBits":[4],"techniques":["pruning"]}"#
        let decoded = try JSONDecoder().decode(SensitivityConfiguration.self, from: Data(version1.utf8))
        #expect(decoded.unitFractions == SensitivityConfiguration().unitFractions)
    }

    @Test func badSweepsAndEmptyDataAreClearErrors() throws {
        #expect(throws: SensitivityError.invalidSetting("sparsity 1.0 is outside (0, 1)")) {
            try SensitivityConfiguration(sparsities: [0.5, 1]).validate()
        }
        #expect(throws: SensitivityError.self) { try SensitivityConfiguration(quantizationBits: [1]).validate() }
        #expect(throws: SensitivityError.self) { try SensitivityConfiguration(clusteringBits: [17]).validate() }
        #expect(throws: SensitivityError.self) { try SensitivityConfiguration(techniques: []).validate() }
        // An empty list is fine for a technique that is not swept.
        try SensitivityConfiguration(sparsities: [], techniques: [.quantization]).validate()
        let file = try TuningFixtures.trainedFile()
        #expect(throws: SensitivityError.noTestData) {
            try SensitivityAnalysis().run(file: file, testSet: TuningFixtures.dataset(count: 0, seed: 1))
        }
    }
}
