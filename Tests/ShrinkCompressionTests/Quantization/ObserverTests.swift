import Foundation
import ShrinkTensor
import Testing
@testable import ShrinkCompression

@Suite struct ObserverTests {
    @Test func minMaxCoversEveryBatchAndIgnoresNonFinite() throws {
        var observer = MinMaxObserver()
        #expect(throws: QuantizationError.noObservations(observer: "min-max")) { try observer.range() }
        observer.observe(Tensor(shape: [3], scalars: [0.5, -1, 2]))
        observer.observe(Tensor(shape: [3], scalars: [.nan, 4, -.infinity]))
        #expect(try observer.range() == QuantizationRange(minimum: -1, maximum: 4))
    }

    @Test func movingAverageBlendsBatchExtremes() throws {
        var observer = MovingAverageMinMaxObserver(averagingConstant: 0.5)
        observer.observe(Tensor(shape: [2], scalars: [0, 10]))
        #expect(try observer.range() == QuantizationRange(minimum: 0, maximum: 10)) // the first batch initializes
        observer.observe(Tensor(shape: [2], scalars: [-10, 20]))
        #expect(try observer.range() == QuantizationRange(minimum: -5, maximum: 15))
        observer.observe(Tensor(shape: [2], scalars: [-5, 15]))
        #expect(try observer.range() == QuantizationRange(minimum: -5, maximum: 15))
    }

    @Test func percentileInterpolatesAndCutsOutliers() throws {
        var exact = PercentileObserver(percent: 90)
        exact.observe(Tensor(shape: [101], scalars: (0...100).map { Float($0) }))
        #expect(try exact.range() == QuantizationRange(minimum: 10, maximum: 90))
        var halves = PercentileObserver(percent: 75)
        halves.observe(Tensor(shape: [4], scalars: [4, 1, 3, 2])) // positions 0.75 and 2.25
        #expect(try halves.range() == QuantizationRange(minimum: 1.75, maximum: 3.25))

        var generator = SeededRandomNumberGenerator(seed: 5)
        var observer = PercentileObserver(percent: 99.9)
        for _ in 0..<4 { observer.observe(Tensor.randomUniform(shape: [2500], lowerBound: 0, upperBound: 1, using: &generator)) }
        observer.observe(Tensor(shape: [3], scalars: [1000, 500, -800]))
        let range = try observer.range()
        #expect(range.maximum < 1 && range.maximum > 0.99)
        #expect(range.minimum >= 0 && range.minimum < 0.01)
    }

    @Test func reservoirKeepsEverythingBelowCapacityAndSamplesAbove() {
        var small = SampleReservoir(capacity: 10, seed: 1)
        let few: [Float] = [1, 2, .nan, 3]
        few.withUnsafeBufferPointer { small.add($0) }
        #expect(small.samples == [1, 2, 3] && small.seen == 3)
        var full = SampleReservoir(capacity: 100, seed: 1)
        let values = (0..<10_000).map { Float($0) }
        values.withUnsafeBufferPointer { full.add($0) }
        #expect(full.samples.count == 100 && full.seen == 10_000)
        #expect(full.extremes == QuantizationRange(minimum: 0, maximum: 9999))
        let mean = full.samples.reduce(0, +) / 100
        #expect(mean > 3500 && mean < 6500) // a uniform sample of 0..<10000
    }

    /// |N(0, 1)| samples plus a few far outliers: a long tail.
    static func longTailed(count: Int, seed: UInt64) -> Tensor {
        var generator = SeededRandomNumberGenerator(seed: seed)
        var values = (0..<count).map { _ in abs(generator.nextNormal()) }
        values += [40, 35, 30, 38]
        return Tensor(shape: [values.count], scalars: values)
    }

    @Test func entropyThresholdIsBelowTheMaximumForALongTail() throws {
        var observer = EntropyObserver(bits: 8)
        #expect(observer.targetBins == 128)
        observer.observe(Self.longTailed(count: 20_000, seed: 11))
        let range = try observer.range()
        #expect(range.minimum >= 0)
        #expect(range.maximum < 20) // far below the maximum 40 ...
        #expect(range.maximum > 2.5) // ... but keeps the bulk of |N(0, 1)|
        let threshold = try observer.thresholds().positive
        #expect(threshold == range.maximum)
        let bins = threshold / (Float(40) / 2048) // a whole number of histogram bins, at least 128
        #expect(abs(bins - bins.rounded()) < 1e-3 && bins.rounded() >= 128)
    }

    @Test func entropySearchesEachSignSeparately() throws {
        // A spike of 5,000 values at −0.42 (an image background) and 2,000 values spread on
        // [0, 2.8]: folding |x| would clip the positive side near 0.42; searched separately, the
        // positive threshold stays near 2.8 and the spike at the negative end is kept.
        var generator = SeededRandomNumberGenerator(seed: 12)
        var values = [Float](repeating: -0.42, count: 5_000)
        for _ in 0..<2_000 { values.append(2.8 * generator.nextUniform()) }
        var observer = EntropyObserver(bits: 8)
        observer.observe(Tensor(shape: [values.count], scalars: values))
        let range = try observer.range()
        #expect(range.minimum == -0.42)
        #expect(range.maximum > 2.5)
    }

    @Test func entropyIgnoresTheSpikeOfReLUZeros() throws {
        // 60 % exact zeros (a ReLU output) plus |N(0, 1)|: the zeros must not drag the threshold
        // down to the smallest candidate (128 bins = 1/16 of the maximum).
        var generator = SeededRandomNumberGenerator(seed: 13)
        var values = [Float](repeating: 0, count: 6_000)
        for _ in 0..<4_000 { values.append(abs(generator.nextNormal())) }
        var observer = EntropyObserver(bits: 8)
        observer.observe(Tensor(shape: [values.count], scalars: values))
        let range = try observer.range()
        let maximum = values.max()!
        #expect(range.minimum == 0)
        #expect(range.maximum > 0.5 * maximum)
    }

    @Test func entropyDivergenceIsZeroWhenQuantizationLosesNothing() {
        // 4 bins all equal, 2 target bins, threshold 4: Q equals P exactly.
        let histogram: [Double] = [5, 5, 5, 5]
        let divergence = histogram.withUnsafeBufferPointer {
            EntropyObserver.divergence(histogram: $0, threshold: 4, targetBins: 2, outliers: 0)
        }
        #expect(abs(divergence) < 1e-12)
        // Threshold 3 with 5 outliers folded into bin 2: P = [5, 5, 10]/20, Q groups {0}, {1, 2}
        // → Q = [5, 5, 5]/15. KL = 0.25·ln(0.75) + 0.25·ln(0.75) + 0.5·ln(1.5).
        let clipped = histogram.withUnsafeBufferPointer {
            EntropyObserver.divergence(histogram: $0, threshold: 3, targetBins: 2, outliers: 5)
        }
        #expect(abs(clipped - (0.5 * log(0.75) + 0.5 * log(1.5))) < 1e-12)
        // An empty bin receiving the outliers makes Q zero where P is not: infinite divergence.
        let gap: [Double] = [5, 5, 0, 5]
        let infinite = gap.withUnsafeBufferPointer { EntropyObserver.divergence(histogram: $0, threshold: 3, targetBins: 2, outliers: 5) }
        #expect(infinite == .infinity)
    }

    @Test func meanSquaredErrorClipsLaplaceTails() throws {
        var generator = SeededRandomNumberGenerator(seed: 21)
        var values = [Float]()
        for _ in 0..<8_000 { // Laplace(0, 1) by inverse transform
            let u = generator.nextUniform() - 0.5
            values.append(u < 0 ? log(1 + 2 * u) : -log(1 - 2 * u))
        }
        let scheme = QuantizationScheme(bits: 4)
        var observer = MeanSquaredErrorObserver(scheme: scheme)
        observer.observe(Tensor(shape: [values.count], scalars: values))
        let full = observer.reservoir.extremes!
        let chosen = try observer.range()
        #expect(chosen.absoluteMaximum < 0.8 * full.absoluteMaximum)
        let errorChosen = try values.withUnsafeBufferPointer { try MeanSquaredErrorObserver.meanSquaredError(of: $0, range: chosen, scheme: scheme) }
        let errorFull = try values.withUnsafeBufferPointer { try MeanSquaredErrorObserver.meanSquaredError(of: $0, range: full, scheme: scheme) }
        #expect(errorChosen < errorFull)
    }

    @Test func configurationsValidateAndBuildObservers() throws {
        #expect(throws: QuantizationError.self) { try ObserverConfiguration.percentile(percent: 40).validate() }
        #expect(throws: QuantizationError.self) { try ObserverConfiguration.movingAverageMinMax(averagingConstant: 0).validate() }
        try ObserverConfiguration.entropy.validate()
        let scheme = QuantizationScheme.activations(bits: 8)
        #expect(ObserverConfiguration.minMax.makeObserver(for: scheme) is MinMaxObserver)
        #expect(ObserverConfiguration.percentile(percent: 99.99).makeObserver(for: scheme) is PercentileObserver)
        #expect(ObserverConfiguration.entropy.makeObserver(for: scheme) is EntropyObserver)
        #expect(ObserverConfiguration.meanSquaredError.makeObserver(for: scheme) is MeanSquaredErrorObserver)
        let decoded = try JSONDecoder().decode(ObserverConfiguration.self, from: Data(#"{"percentile": {"percent": 99.99}}"#.utf8))
        #expect(decoded == .percentile(percent: 99.99))
    }
}
