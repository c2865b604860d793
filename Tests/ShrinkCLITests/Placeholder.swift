import Testing
@testable import ShrinkCLI
