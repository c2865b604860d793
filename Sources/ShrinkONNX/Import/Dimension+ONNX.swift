import ShrinkGraph

/// Shrink's graph dimension (Foundation also has a `Dimension`, for units of measure).
typealias Dimension = ShrinkGraph.Dimension
