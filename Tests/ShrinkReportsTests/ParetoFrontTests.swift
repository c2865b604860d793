import Testing
@testable import ShrinkReports

@Suite struct ParetoFrontTests {
    func point(_ name: String, _ accuracy: Double, _ cost: Double) -> ParetoPoint {
        ParetoPoint(variant: name, accuracy: accuracy, cost: cost)
    }

    @Test func emptyAndSingle() {
        #expect(ParetoFront(points: []).points.isEmpty)
        #expect(ParetoFront(points: [point("a", 0.5, 10)]).variants == ["a"])
    }

    @Test func dominatedPointsAreDroppedAndTheFrontIsInCostOrder() {
        let front = ParetoFront(points: [point("big", 0.98, 100), point("small", 0.97, 50), point("worse", 0.96, 60),
                                         point("tiny", 0.90, 5)])
        #expect(front.variants == ["tiny", "small", "big"])
        #expect(!front.contains("worse"))
        #expect(front.candidates.count == 4)
    }

    @Test func tiesAreHandled() {
        // Identical points do not dominate each other; equal accuracy at higher cost, or equal
        // cost at lower accuracy, is dominated.
        let front = ParetoFront(points: [point("b", 0.98, 100), point("a", 0.98, 100), point("costlier", 0.98, 120),
                                         point("less-accurate", 0.97, 100)])
        #expect(front.variants == ["a", "b"])
        #expect(point("a", 0.98, 100).dominates(point("costlier", 0.98, 120)))
        #expect(!point("a", 0.98, 100).dominates(point("b", 0.98, 100)))
    }

    @Test func nonFinitePointsAreIgnored() {
        let front = ParetoFront(points: [point("nan", .nan, 1), point("inf", 0.99, .infinity), point("ok", 0.5, 3)])
        #expect(front.variants == ["ok"])
    }

    @Test func sweepFronts() throws {
        let comparison = try Comparison(records: RecordFixtures.sweep())
        #expect(comparison.sizeParetoFront.variants == ["deep-compression", "int8-static", "fp16", "fp32"])
        #expect(comparison.latencyParetoFront.variants == ["ternary", "int8-static", "fp32"])
        let batch64 = try Comparison(records: RecordFixtures.sweep(), batchSize: 64)
        #expect(batch64.latencyParetoFront.variants == ["ternary", "int8-static", "fp32"])
    }
}
