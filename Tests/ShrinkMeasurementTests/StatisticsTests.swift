import Testing
@testable import ShrinkMeasurement

@Suite struct StatisticsTests {
    @Test func percentilesInterpolateLinearly() throws {
        let values: [Double] = [4, 1, 3, 2]
        #expect(try Statistics.median(values) == 2.5)
        #expect(approximatelyEqual(try Statistics.percentile(values, 5), 1.15))  // position 0.15
        #expect(approximatelyEqual(try Statistics.percentile(values, 95), 3.85)) // position 2.85
        #expect(try Statistics.percentile(values, 0) == 1)
        #expect(try Statistics.percentile(values, 100) == 4)
        #expect(try Statistics.median([1, 9, 5]) == 5)
        #expect(try Statistics.percentile([7], 95) == 7)
        #expect(throws: MeasurementError.emptySample(statistic: "percentile")) { try Statistics.median([]) }
        #expect(throws: MeasurementError.self) { try Statistics.percentile(values, 101) }
    }

    @Test func meanAndSampleStandardDeviation() throws {
        let values: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        #expect(try Statistics.mean(values) == 5)
        // Σ(x − 5)² = 32, divided by n − 1 = 7.
        #expect(approximatelyEqual(try Statistics.standardDeviation(values), (32.0 / 7).squareRoot()))
        #expect(try Statistics.standardDeviation([3]) == 0)
    }

    @Test func medianIntervalFromOrderStatistics() throws {
        // n = 10: 2·P(B ≤ 1) = 22/1024 ≤ 0.05 < 2·P(B ≤ 2) = 112/1024, so l = 2: [x(2), x(9)].
        let ten: [Double] = [10, 3, 7, 1, 9, 2, 8, 4, 6, 5]
        let interval = try #require(try Statistics.medianConfidenceInterval(ten))
        #expect(interval.lower == 2 && interval.upper == 9)
        #expect(approximatelyEqual(interval.coverage, 1 - 22.0 / 1024))
        #expect(interval.method == "median_order_statistics")
        #expect(interval.halfWidth(around: 5.5) == 3.5)
        // n = 6: only l = 1 qualifies (2/64 ≤ 0.05): the whole range.
        let six = try #require(try Statistics.medianConfidenceInterval([6, 1, 5, 2, 4, 3]))
        #expect(six.lower == 1 && six.upper == 6)
        #expect(approximatelyEqual(six.coverage, 1 - 2.0 / 64))
        // n = 5: 2/32 > 0.05, no 95 % interval; at 90 % the whole range.
        #expect(try Statistics.medianConfidenceInterval([1, 2, 3, 4, 5]) == nil)
        let ninety = try #require(try Statistics.medianConfidenceInterval([1, 2, 3, 4, 5], level: 0.9))
        #expect(ninety.lower == 1 && ninety.upper == 5)
    }

    @Test func medianIntervalForALargeSample() throws {
        // Reference (exact binomial sums in Python): l = 956, coverage 0.9534471795082162.
        let values = (1...2000).map(Double.init).reversed()
        let interval = try #require(try Statistics.medianConfidenceInterval(Array(values)))
        #expect(interval.lower == 956 && interval.upper == 2000 - 956 + 1)
        #expect(approximatelyEqual(interval.coverage, 0.9534471795082162, tolerance: 1e-9))
    }

    @Test func studentTQuantilesMatchScipy() {
        // scipy.stats.t.ppf reference values.
        #expect(approximatelyEqual(StudentT.quantile(probability: 0.975, degreesOfFreedom: 9), 2.262157162798205, tolerance: 1e-9))
        #expect(approximatelyEqual(StudentT.quantile(probability: 0.975, degreesOfFreedom: 1), 12.706204736174694, tolerance: 1e-8))
        #expect(approximatelyEqual(StudentT.quantile(probability: 0.975, degreesOfFreedom: 30), 2.0422724563012378, tolerance: 1e-9))
        #expect(approximatelyEqual(StudentT.quantile(probability: 0.95, degreesOfFreedom: 4), 2.1318467863266495, tolerance: 1e-9))
    }

    @Test func meanIntervalUsesStudentT() throws {
        let interval = try #require(try Statistics.meanConfidenceInterval([1, 2, 3, 4, 5]))
        // t(0.975, 4) · sqrt(2.5) / sqrt(5) = 1.9632431614775572 (scipy).
        #expect(approximatelyEqual(interval.lower, 3 - 1.9632431614775572, tolerance: 1e-9))
        #expect(approximatelyEqual(interval.upper, 3 + 1.9632431614775572, tolerance: 1e-9))
        #expect(interval.method == "mean_student_t")
        #expect(try Statistics.meanConfidenceInterval([1]) == nil)
    }
}
