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
        let configuration = SensitivityConfiguration(sparsities: [0.5, 0.99], quantizationBits: [2, 8], clusteringBits: [1, 6])
        var events = 0
        let report = try SensitivityAnalysis(configuration: configuration).run(file: file, testSet: test) { progress in
            if case .evaluated = progress { events += 1 }
        }
        #expect(report.layers.map(\.name) == ["fc1", "fc2"])
        #expect(report.points.count == 12 && events == 12)
        #expect(report.points.map(\.layer) == Array(repeating: "fc1", count: 6) + Array(repeating: "fc2", count: 6))
        #expect(report.points.prefix(6).map(\.setting) == [0.5, 0.99, 2, 8, 1, 6])
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
        for chart in ["sensitivity-pruning", "sensitivity-quantization", "sensitivity-clustering"] {
            #expect(html.contains("data-chart=\"\(chart)\""))
        }
        #expect(report.textTables().contains("tolerated"))
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
