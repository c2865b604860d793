import Testing
import Foundation
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

    @Test func forcedPathIsPerThreadAndHandedToWorkerChunks() {
        let slowest = CPUPath.portable
        CPUPath.withPath(slowest) {
            // Another thread does not see this thread's forced path.
            let otherThreadPath = PathSeenOnAnotherThread()
            let otherThread = Thread {
                otherThreadPath.path = CPUPath.active
                otherThreadPath.finished.signal()
            }
            otherThread.start()
            otherThreadPath.finished.wait()  // the semaphore orders the write before this read
            #expect(otherThreadPath.path == CPUPath.detected)
            // Worker chunks of this thread's work run on the forced path.
            var chunkPaths = [CPUPath](repeating: CPUPath.detected, count: 4)
            chunkPaths.withUnsafeMutableBufferPointer { paths in
                let base = paths.baseAddress!
                Parallelism.forEachChunk(count: 4, minimumChunk: 1, threadCount: 4) { range in
                    for index in range { base[index] = CPUPath.active }
                }
            }
            #expect(chunkPaths.allSatisfy { $0 == slowest })
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

/// The path a second thread saw; written there before `finished` is signalled, read after.
private final class PathSeenOnAnotherThread: @unchecked Sendable {
    var path = CPUPath.portable
    let finished = DispatchSemaphore(value: 0)
}
