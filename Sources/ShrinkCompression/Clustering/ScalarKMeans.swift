/// The outcome of one-dimensional k-means on sorted values.
public struct ScalarKMeansResult: Equatable, Sendable {
    /// The centroids, ascending. Clusters that ended empty are removed, so every centroid has
    /// at least one member.
    public var centroids: [Float]
    /// Cluster `j` holds the sorted values at positions `boundaries[j] ..< boundaries[j + 1]`;
    /// `boundaries.first == 0`, `boundaries.last == values.count`.
    public var boundaries: [Int]
    /// Lloyd iterations run (assignment + update pairs).
    public var iterations: Int
    /// Whether the assignment stopped changing before the iteration limit.
    public var converged: Bool

    /// The sum of squared distances of the values to their centroids.
    public func inertia(sortedValues: [Float]) -> Double {
        var total = 0.0
        for cluster in 0..<centroids.count {
            let centroid = Double(centroids[cluster])
            for position in boundaries[cluster]..<boundaries[cluster + 1] {
                let difference = Double(sortedValues[position]) - centroid
                total += difference * difference
            }
        }
        return total
    }
}

/// k-means on scalars (the weights of one layer), exploiting that in one dimension every
/// cluster of the nearest-centroid assignment is a contiguous range of the sorted values.
///
/// With the values sorted once and their prefix sums precomputed, one Lloyd iteration costs
/// O(k log n): the boundary between neighbouring centroids `c_j < c_{j+1}` is the first value
/// above their midpoint (a binary search), and a cluster's new centroid is the mean of its
/// range (a prefix-sum difference). Ties go to the lower centroid.
public enum ScalarKMeans {
    /// Runs Lloyd's algorithm from `initialCentroids` until the assignment no longer changes or
    /// `maximumIterations` updates have run.
    ///
    /// - Precondition: `sortedValues` is non-empty, ascending and finite; `initialCentroids` is
    ///   non-empty and finite; `maximumIterations >= 1`.
    public static func fit(sortedValues: [Float], initialCentroids: [Float], maximumIterations: Int) -> ScalarKMeansResult {
        precondition(!sortedValues.isEmpty, "k-means needs at least one value")
        precondition(!initialCentroids.isEmpty, "k-means needs at least one centroid")
        precondition(maximumIterations >= 1, "maximum iterations must be at least 1")
        let prefixSums = Self.prefixSums(sortedValues)
        var centroids = initialCentroids.map(Double.init).sorted()
        var boundaries = Self.boundaries(sortedValues: sortedValues, centroids: centroids)
        var iterations = 0
        var converged = false
        while iterations < maximumIterations {
            iterations += 1
            // Update: each non-empty cluster moves to the mean of its range.
            for cluster in 0..<centroids.count {
                let lower = boundaries[cluster]
                let upper = boundaries[cluster + 1]
                if upper > lower {
                    centroids[cluster] = (prefixSums[upper] - prefixSums[lower]) / Double(upper - lower)
                }
            }
            centroids.sort()
            // Assignment with the moved centroids.
            let next = Self.boundaries(sortedValues: sortedValues, centroids: centroids)
            if next == boundaries {
                converged = true
                break
            }
            boundaries = next
        }
        // Final means of the final assignment (equal to `centroids` when converged), then drop
        // the empty clusters.
        var finalCentroids = [Float]()
        var finalBoundaries = [0]
        for cluster in 0..<centroids.count {
            let lower = boundaries[cluster]
            let upper = boundaries[cluster + 1]
            guard upper > lower else { continue }
            finalCentroids.append(Float((prefixSums[upper] - prefixSums[lower]) / Double(upper - lower)))
            finalBoundaries.append(upper)
        }
        return ScalarKMeansResult(
            centroids: finalCentroids, boundaries: finalBoundaries, iterations: iterations, converged: converged)
    }

    /// `sums[i]` = sum of the first `i` values, in double precision (`sums.count == n + 1`).
    static func prefixSums(_ sortedValues: [Float]) -> [Double] {
        var sums = [Double](repeating: 0, count: sortedValues.count + 1)
        sortedValues.withUnsafeBufferPointer { values in
            sums.withUnsafeMutableBufferPointer { output in
                var running = 0.0
                for index in 0..<values.count {
                    running += Double(values[index])
                    output[index + 1] = running
                }
            }
        }
        return sums
    }

    /// The nearest-centroid assignment as range boundaries (`centroids` ascending; ties go to the
    /// lower centroid).
    static func boundaries(sortedValues: [Float], centroids: [Double]) -> [Int] {
        var result = [Int](repeating: 0, count: centroids.count + 1)
        result[centroids.count] = sortedValues.count
        sortedValues.withUnsafeBufferPointer { values in
            for cluster in 0..<(centroids.count - 1) {
                let midpoint = (centroids[cluster] + centroids[cluster + 1]) / 2
                // First position whose value lies strictly above the midpoint.
                var low = result[cluster]
                var high = values.count
                while low < high {
                    let middle = (low + high) / 2
                    if Double(values[middle]) <= midpoint { low = middle + 1 } else { high = middle }
                }
                result[cluster + 1] = low
            }
        }
        return result
    }
}
