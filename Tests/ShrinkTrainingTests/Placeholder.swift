import Testing
@testable import ShrinkTraining
