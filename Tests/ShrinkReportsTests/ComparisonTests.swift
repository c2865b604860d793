import Foundation
import ShrinkMeasurement
import Testing
@testable import ShrinkReports

@Suite struct ComparisonTests {
    @Test func ratiosAndDeltasAgainstTheBaseline() throws {
        let comparison = try Comparison(records: RecordFixtures.sweep(), baseline: "fp32")
        #expect(comparison.batchSizes == [1, 64])
        #expect(comparison.rows.map(\.variant) == ["fp32", "fp16", "int8-static", "pruned-92", "deep-compression", "ternary"])
        let baseline = comparison.baselineRow
        #expect(baseline.isBaseline && baseline.variant == "fp32")
        #expect(baseline.fileCompressionRatio == 1 && baseline.top1DeltaPoints == 0)

        let deep = try #require(comparison.rows.first { $0.variant == "deep-compression" })
        #expect(!deep.isBaseline)
        #expect(deep.fileBytes == 27_300 && deep.gzipBytes == 25_100)
        #expect(abs(try #require(deep.fileCompressionRatio) - 1_067_200.0 / 27_300) < 1e-12)
        #expect(abs(try #require(deep.gzipCompressionRatio) - 985_000.0 / 25_100) < 1e-12)
        let batchOne = try #require(deep.latency(batchSize: 1))
        #expect(batchOne.medianSeconds == 22e-6)
        #expect(abs(try #require(batchOne.speedUp) - 41.0 / 22) < 1e-9)
        #expect(abs(try #require(batchOne.samplesPerSecond) - 1 / 22e-6) < 1e-6)
        let batch64 = try #require(deep.latency(batchSize: 64))
        #expect(abs(try #require(batch64.speedUp) - 610.0 / 350) < 1e-9)
        #expect(abs(try #require(batch64.samplesPerSecond) - 64 / 350e-6) < 1e-6)
        #expect(abs(try #require(deep.top1DeltaPoints) - (0.9803 - 0.9812) * 100) < 1e-9)
        #expect(deep.top1 == 0.9803 && deep.top5 == 0.9953)
        #expect(deep.macroF1 != nil)
        #expect(deep.compressionSeconds == 310.7)
        let records = RecordFixtures.sweep()
        let expectedEnergy = records[0].energy.modelled.totalJoules / records[4].energy.modelled.totalJoules
        #expect(abs(try #require(deep.modelledEnergyRatio) - expectedEnergy) < 1e-12)
        #expect(expectedEnergy > 1, "fewer MACs and bytes must model less energy")
    }

    @Test func missingFiguresStayNil() throws {
        let bare = RecordFixtures.record(variant: "bare", fileBytes: 500, gzipBytes: 400, top1: nil, latencies: [64: 1e-4],
                                         peakResidentBytes: nil, compressionSeconds: nil)
        let full = RecordFixtures.record(variant: "full", fileBytes: 1000, gzipBytes: 900, top1: 0.5,
                                         latencies: [1: 1e-5, 64: 2e-4], measuredJoules: 3e-6)
        let comparison = try Comparison(records: [full, bare])
        #expect(comparison.baselineVariant == "full", "the baseline defaults to the first record")
        let row = comparison.rows[1]
        #expect(row.top1 == nil && row.top5 == nil && row.macroF1 == nil && row.top1DeltaPoints == nil)
        #expect(row.peakResidentBytes == nil && row.compressionSeconds == nil && row.measuredEnergyJoules == nil)
        #expect(row.latency(batchSize: 1) == nil)
        #expect(row.latency(batchSize: 64)?.speedUp == 2)
        #expect(row.fileCompressionRatio == 2)
        #expect(comparison.rows[0].measuredEnergyJoules == 3e-6)
        // Baseline without batch 64 → no speed-up there, but the latency itself is kept.
        let reversed = try Comparison(records: [bare, full], batchSize: 64)
        #expect(reversed.rows[1].latency(batchSize: 1)?.speedUp == nil)
        #expect(reversed.rows[1].latency(batchSize: 1)?.medianSeconds == 1e-5)
        #expect(reversed.rows[1].top1DeltaPoints == nil, "no delta without the baseline's accuracy")
    }

    @Test func invalidComparisonsAreRejectedWithClearMessages() {
        let records = RecordFixtures.sweep()
        #expect(throws: ComparisonError.noRecords) { try Comparison(records: []) }
        #expect(throws: ComparisonError.duplicateVariant("fp32")) { try Comparison(records: [records[0], records[0]]) }
        let unknown = ComparisonError.unknownBaseline("fp64", available: records.map(\.variant))
        #expect(throws: unknown) { try Comparison(records: records, baseline: "fp64") }
        #expect(unknown.description.contains("fp32, fp16, int8-static"))
        #expect(throws: ComparisonError.unmeasuredBatchSize(8, available: [1, 64])) {
            try Comparison(records: records, batchSize: 8)
        }
    }
}
