import Testing
@testable import ShrinkFormats
