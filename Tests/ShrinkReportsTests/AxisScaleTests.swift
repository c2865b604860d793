import Foundation
import Testing
@testable import ShrinkReports

@Suite struct AxisScaleTests {
    @Test func niceStepsAreOneTwoTwoAndAHalfOrFiveTimesAPowerOfTen() {
        #expect(AxisScale.niceStep(0.7) == 1)
        #expect(AxisScale.niceStep(1.3) == 2)
        #expect(AxisScale.niceStep(2.2) == 2.5)
        #expect(AxisScale.niceStep(3) == 5)
        #expect(AxisScale.niceStep(6) == 10)
        #expect(abs(AxisScale.niceStep(0.024) - 0.025) < 1e-12)
        #expect(abs(AxisScale.niceStep(0.04) - 0.05) < 1e-12)
        #expect(AxisScale.niceStep(0) == 1 && AxisScale.niceStep(.infinity) == 1)
    }

    @Test func decimalsAreWhatTheStepNeeds() {
        #expect(AxisScale.decimals(forStep: 10) == 0)
        #expect(AxisScale.decimals(forStep: 2) == 0)
        #expect(AxisScale.decimals(forStep: 0.5) == 1)
        #expect(AxisScale.decimals(forStep: 0.1) == 1)
        #expect(AxisScale.decimals(forStep: 0.25) == 2)
        #expect(AxisScale.decimals(forStep: 0.05) == 2)
        #expect(AxisScale.decimals(forStep: 0.025) == 3)
        #expect(AxisScale.decimals(forStep: 0.0002) == 4)
    }

    @Test func accuracyTicksOverANarrowRangeReadDifferently() throws {
        // The case: variants between 98.57 % and 98.63 % all read "98.6 %" before.
        let scale = AxisScale.linear(values: [98.57, 98.59, 98.61, 98.63], start: 400, end: 40, clampTo: 0...100)
        let labels = scale.ticks.map(scale.label)
        #expect(scale.ticks.count >= 3)
        #expect(Set(labels).count == labels.count, "ticks read alike: \(labels)")
        #expect(labels.contains("98.60"))
        // The ticks cover the data and are evenly spaced by the step.
        let step = try #require(scale.step)
        #expect(scale.lower <= 98.57 && scale.upper >= 98.63)
        for (first, second) in zip(scale.ticks, scale.ticks.dropFirst()) { #expect(abs(second - first - step) < 1e-9) }
    }

    @Test func wideRangesKeepWholeNumbersAndClampToOneHundred() {
        let scale = AxisScale.linear(values: [60, 99.2], start: 400, end: 40, clampTo: 0...100)
        #expect(scale.ticks.map(scale.label) == ["50", "60", "70", "80", "90", "100"])
        #expect(scale.upper == 100)
        let single = AxisScale.linear(values: [98.6], start: 400, end: 40, clampTo: 0...100)
        let labels = single.ticks.map(single.label)
        #expect(Set(labels).count == labels.count && labels.count >= 2)
    }

    @Test func logarithmicTicksKeepThreeSignificantDigits() {
        let scale = AxisScale.logarithmic(values: [26_644, 1_066_440], start: 0, end: 1000)
        #expect(scale.step == nil)
        #expect(scale.ticks.map(scale.label).allSatisfy { !$0.isEmpty })
        #expect(scale.label(20_000) == "20000")
    }
}

@Suite struct ChartLabelTests {
    /// The texts of the `<text>` elements of an SVG.
    static func texts(_ svg: String) -> [String] {
        svg.components(separatedBy: "<text").dropFirst().compactMap { element in
            guard let open = element.firstIndex(of: ">"), let close = element.range(of: "</text>") else { return nil }
            return String(element[element.index(after: open)..<close.lowerBound])
        }
    }

    @Test func accuracyAxisLabelsOfCloseVariantsAreDistinct() throws {
        var records = RecordFixtures.sweep()
        for index in records.indices { records[index].accuracy?.top1 = 0.9857 + Double(index) * 0.0001 }
        let html = HTMLReport(comparison: try Comparison(records: records)).rendered()
        let chart = try #require(html.components(separatedBy: "<svg ").first { $0.contains("data-chart=\"accuracy-vs-size\"") })
        let ticks = Self.texts(chart).filter { $0.hasSuffix(" %") }
        #expect(ticks.count >= 3)
        #expect(Set(ticks).count == ticks.count, "accuracy ticks read alike: \(ticks)")
    }
}
