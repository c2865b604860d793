import Testing
@testable import ShrinkKernels

@Suite(.serialized)
struct CPUPathTests {
    @Test func availablePathsEndWithTheDetectedOne() {
        let available = CPUPath.available
        #expect(available.first == .portable)
        #expect(available.last == CPUPath.detected)
        #if arch(x86_64)
        // Every x86-64 CPU this project targets has at least AVX2+FMA.
        #expect(available.contains(.avx2))
        #endif
    }

    @Test func withPathForcesAndRestores() {
        let before = CPUPath.active
        for path in CPUPath.available {
            CPUPath.withPath(path) { #expect(CPUPath.active == path) }
            #expect(CPUPath.active == before)
        }
    }

    @Test func parallelChunksCoverTheRangeOnce() {
        var seen = [Int](repeating: 0, count: 103)
        seen.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallelism.forEachChunk(count: 103, minimumChunk: 10, threadCount: 4) { range in
                for index in range { base[index] += 1 }
            }
        }
        #expect(seen.allSatisfy { $0 == 1 })
    }
}
