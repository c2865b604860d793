@_exported import ShrinkGraph
