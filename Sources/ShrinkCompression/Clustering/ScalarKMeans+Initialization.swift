import ShrinkTensor

extension ScalarKMeans {
    /// Up to `count` starting centroids for `sortedValues`, ascending.
    ///
    /// `linear` and `density` always return `count` centroids (possibly equal ones when the
    /// values are few); `random` and `kMeansPlusPlus` return distinct data values, fewer than
    /// `count` when the data has fewer distinct values. `generator` is only drawn from by the
    /// random methods.
    ///
    /// - Precondition: `sortedValues` is non-empty, ascending and finite; `count >= 1`.
    public static func initialCentroids(
        sortedValues: [Float], count: Int, method: ClusterInitialization,
        generator: inout SeededRandomNumberGenerator
    ) -> [Float] {
        precondition(!sortedValues.isEmpty, "k-means needs at least one value")
        precondition(count >= 1, "k-means needs at least one centroid")
        switch method {
        case .linear:
            return linearCentroids(sortedValues: sortedValues, count: count)
        case .density:
            return densityCentroids(sortedValues: sortedValues, count: count)
        case .random:
            return forgyCentroids(sortedValues: sortedValues, count: count, generator: &generator)
        case .kMeansPlusPlus:
            return plusPlusCentroids(sortedValues: sortedValues, count: count, generator: &generator)
        }
    }

    /// `min + (max − min) · i / (k − 1)`; the midpoint of the range when `k == 1`.
    static func linearCentroids(sortedValues: [Float], count: Int) -> [Float] {
        let minimum = Double(sortedValues.first!)
        let maximum = Double(sortedValues.last!)
        guard count > 1 else { return [Float((minimum + maximum) / 2)] }
        return (0..<count).map { index in
            Float(minimum + (maximum - minimum) * Double(index) / Double(count - 1))
        }
    }

    /// The quantiles at `(i + ½) / k`, interpolating linearly between order statistics at the
    /// fractional position `p · (n − 1)`.
    static func densityCentroids(sortedValues: [Float], count: Int) -> [Float] {
        let last = sortedValues.count - 1
        return (0..<count).map { index in
            let position = (Double(index) + 0.5) / Double(count) * Double(last)
            let lower = Int(position.rounded(.down))
            let upper = min(lower + 1, last)
            let fraction = position - Double(lower)
            return Float(Double(sortedValues[lower]) + fraction * (Double(sortedValues[upper]) - Double(sortedValues[lower])))
        }
    }

    /// The distinct values, ascending (input ascending).
    static func distinctValues(_ sortedValues: [Float]) -> [Float] {
        var distinct = [Float]()
        distinct.reserveCapacity(sortedValues.count)
        for value in sortedValues where distinct.last != value { distinct.append(value) }
        return distinct
    }

    /// `min(k, distinct)` distinct values by a partial Fisher–Yates shuffle of the distinct values.
    static func forgyCentroids(sortedValues: [Float], count: Int, generator: inout SeededRandomNumberGenerator) -> [Float] {
        var distinct = distinctValues(sortedValues)
        let picks = min(count, distinct.count)
        for index in 0..<picks {
            let other = index + generator.nextIndex(below: distinct.count - index)
            if other != index { distinct.swapAt(index, other) }
        }
        return Array(distinct[0..<picks]).sorted()
    }

    /// k-means++ seeding over the distinct values, each weighted by its multiplicity, so the
    /// draws follow the D² distribution over all values while never picking a value twice.
    static func plusPlusCentroids(sortedValues: [Float], count: Int, generator: inout SeededRandomNumberGenerator) -> [Float] {
        // Distinct values with multiplicities.
        var values = [Double]()
        var weights = [Double]()
        for value in sortedValues {
            if let last = values.last, last == Double(value) {
                weights[weights.count - 1] += 1
            } else {
                values.append(Double(value))
                weights.append(1)
            }
        }
        let picks = min(count, values.count)
        var centroids = [Float]()
        centroids.reserveCapacity(picks)
        let first = generator.nextIndex(below: sortedValues.count)
        centroids.append(sortedValues[first])
        // Squared distance of every distinct value to its nearest chosen centroid.
        var distances = values.map { ($0 - Double(sortedValues[first])) * ($0 - Double(sortedValues[first])) }
        while centroids.count < picks {
            var total = 0.0
            for index in 0..<values.count { total += weights[index] * distances[index] }
            guard total > 0 else { break }
            // A uniform draw in [0, total) with 53 random bits.
            let target = Double(generator.next() >> 11) * (1.0 / 9_007_199_254_740_992.0) * total
            var chosen = -1
            var running = 0.0
            for index in 0..<values.count where distances[index] > 0 {
                running += weights[index] * distances[index]
                chosen = index
                if running > target { break }
            }
            let centroid = values[chosen]
            centroids.append(Float(centroid))
            for index in 0..<values.count {
                let difference = values[index] - centroid
                distances[index] = min(distances[index], difference * difference)
            }
        }
        return centroids.sorted()
    }
}
