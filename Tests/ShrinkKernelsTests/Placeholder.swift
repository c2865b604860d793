import Testing
@testable import ShrinkKernels
