import ShrinkTensor
import Testing
@testable import ShrinkCompression

@Suite struct ScalarKMeansInitializationTests {
    func initial(_ values: [Float], _ count: Int, _ method: ClusterInitialization, seed: UInt64 = 0) -> [Float] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return ScalarKMeans.initialCentroids(sortedValues: values, count: count, method: method, generator: &generator)
    }

    @Test func linearSpacesEvenlyBetweenMinimumAndMaximum() {
        #expect(initial([-1, -0.5, 0, 2, 3], 3, .linear) == [-1, 1, 3])
        #expect(initial([-1, -0.5, 0, 2, 3], 5, .linear) == [-1, 0, 1, 2, 3])
        #expect(initial([2, 4], 1, .linear) == [3])
    }

    @Test func densityTakesEvenlySpacedQuantiles() {
        // n = 9: positions (i + ½)/4 · 8 = 1, 3, 5, 7.
        #expect(initial([0, 1, 2, 3, 4, 5, 6, 7, 8], 4, .density) == [1, 3, 5, 7])
        // n = 4: positions 0.75 and 2.25, interpolated: 0 + 0.75·10 and 20 + 0.25·10.
        #expect(initial([0, 10, 20, 30], 2, .density) == [7.5, 22.5])
        // Dense regions get more centroids than linear spacing would give them.
        let skewed: [Float] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 10]
        #expect(initial(skewed, 3, .density).filter { $0 < 1 }.count == 3)
        #expect(initial(skewed, 3, .linear).filter { $0 < 1 }.count == 1)
    }

    @Test func forgyPicksDistinctDataValues() {
        let values: [Float] = [1, 1, 1, 2, 3, 3, 4, 5, 6]
        for seed in UInt64(0)..<10 {
            let picks = initial(values, 4, .random, seed: seed)
            #expect(picks.count == 4)
            #expect(Set(picks).count == 4)
            #expect(picks.allSatisfy { values.contains($0) })
            #expect(picks == picks.sorted())
            #expect(picks == initial(values, 4, .random, seed: seed))
        }
        let draws = Set((UInt64(0)..<10).map { initial(values, 4, .random, seed: $0) })
        #expect(draws.count > 1)
        // Fewer distinct values than centroids: all of them.
        #expect(initial(values, 10, .random) == [1, 2, 3, 4, 5, 6])
    }

    @Test func kMeansPlusPlusIsSeededAndSpreads() {
        let values: [Float] = [0, 0.1, 0.2, 10, 10.1, 10.2, 20, 20.1]
        for seed in UInt64(0)..<20 {
            let picks = initial(values, 3, .kMeansPlusPlus, seed: seed)
            #expect(picks == initial(values, 3, .kMeansPlusPlus, seed: seed))
            #expect(picks.allSatisfy { values.contains($0) })
            // One seed per group: D² sampling makes a second pick in the same group unlikely
            // (probability < 0.1 % per draw here), and these seeds are fixed.
            #expect(Set(picks.map { Int($0 / 5) }) == [0, 2, 4])
        }
        // A value equal to a chosen centroid has weight 0 and is never drawn again.
        #expect(initial([5, 5, 5, 5, 5, 7], 2, .kMeansPlusPlus, seed: 3) == [5, 7])
        #expect(initial([5, 5, 7], 4, .kMeansPlusPlus, seed: 3) == [5, 7])
    }
}

@Suite struct ScalarKMeansLloydTests {
    @Test func convergesToTheKnownOptimum() {
        let values: [Float] = [1, 2, 3, 10, 11, 12]
        let result = ScalarKMeans.fit(sortedValues: values, initialCentroids: [1, 2], maximumIterations: 50)
        // [1, 2] → {1}, {2…12} → [1, 7.6] → {1,2,3}, {10,11,12} → [2, 11], unchanged → converged.
        #expect(result.centroids == [2, 11])
        #expect(result.boundaries == [0, 3, 6])
        #expect(result.converged)
        #expect(result.iterations == 2)
        #expect(result.inertia(sortedValues: values) == 4)
    }

    @Test func stopsAtTheIterationLimit() {
        let values: [Float] = [1, 2, 3, 10, 11, 12]
        let result = ScalarKMeans.fit(sortedValues: values, initialCentroids: [1, 2], maximumIterations: 1)
        #expect(result.iterations == 1)
        #expect(!result.converged)
        // One update ([1, 7.6]) and its assignment ({1,2,3}, {10,11,12}); the result reports the
        // means of that last assignment, unverified as a fixed point.
        #expect(result.boundaries == [0, 3, 6])
        #expect(result.centroids == [2, 11])
    }

    @Test func tiesGoToTheLowerCentroid() {
        let result = ScalarKMeans.fit(sortedValues: [0, 1, 2], initialCentroids: [0, 2], maximumIterations: 10)
        #expect(result.boundaries == [0, 2, 3])
        #expect(result.centroids == [0.5, 2])
    }

    @Test func dropsEmptyClusters() {
        let result = ScalarKMeans.fit(sortedValues: [0, 0, 0, 1], initialCentroids: [0, 1.0 / 3, 2.0 / 3, 1], maximumIterations: 10)
        #expect(result.centroids == [0, 1])
        #expect(result.boundaries == [0, 3, 4])
    }

    @Test func matchesBruteForceAssignment() {
        var generator = SeededRandomNumberGenerator(seed: 11)
        let values = (0..<200).map { _ in generator.nextNormal() }.sorted()
        let result = ScalarKMeans.fit(sortedValues: values, initialCentroids: ScalarKMeans.linearCentroids(sortedValues: values, count: 8),
                                      maximumIterations: 200)
        #expect(result.converged)
        // At a fixed point every value's nearest centroid is its own, and centroids are means.
        for cluster in 0..<result.centroids.count {
            let members = values[result.boundaries[cluster]..<result.boundaries[cluster + 1]]
            let mean = members.reduce(0.0) { $0 + Double($1) } / Double(members.count)
            #expect(abs(Double(result.centroids[cluster]) - mean) < 1e-5)
            for value in members {
                let nearest = result.centroids.min { abs($0 - value) < abs($1 - value) }!
                #expect(abs(nearest - value) >= abs(result.centroids[cluster] - value) - 1e-6)
            }
        }
    }
}
