/// How k-means picks its starting centroids (Han et al., *Deep Compression* §3.2, compare
/// linear, density-based and random initialization; linear works best for weight sharing
/// because it keeps the few large weights represented).
public enum ClusterInitialization: String, Codable, CaseIterable, Sendable {
    /// `k` centroids evenly spaced between the smallest and the largest value:
    /// `min + (max − min) · i / (k − 1)`.
    case linear
    /// `k` centroids evenly spaced in the empirical CDF: the quantiles at probabilities
    /// `(i + ½) / k`, with linear interpolation between order statistics (NumPy's default
    /// `quantile`). Concentrates centroids where the weights are dense.
    case density
    /// Forgy: `k` distinct data values drawn uniformly at random (seeded).
    case random
    /// k-means++ (Arthur & Vassilvitskii): the first centroid a uniformly drawn value, each
    /// further one a value drawn with probability proportional to its squared distance to the
    /// nearest centroid so far (seeded).
    case kMeansPlusPlus = "kmeans++"
}
