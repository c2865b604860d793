import Testing
@testable import ShrinkNN
