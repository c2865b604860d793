import Testing
@testable import ShrinkKernels

@Suite struct MemoryRetentionTests {
    @Test func glibcTakesTheSettings() {
        #if canImport(Glibc)
        #expect(MemoryRetention.retainFreedMemory())
        #endif
        // Memory allocated and freed afterwards still works.
        let values = [Float](repeating: 1, count: 3 << 20)
        #expect(values.reduce(0, +) == Float(3 << 20))
    }
}
