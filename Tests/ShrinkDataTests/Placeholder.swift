import Testing
@testable import ShrinkData
