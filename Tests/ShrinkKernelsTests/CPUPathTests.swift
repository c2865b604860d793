import Testing
import Foundation
import CShrinkKernels
@testable import ShrinkKernels

@Suite(.serialized)
struct CPUPathTests {
    @Test func availablePathsEndWithTheDetectedOne() {
        let available = CPUPath.available
        #expect(available.first == .portable)
        #expect(available.last == CPUPath.detected)
        #if arch(x86_64)
        // Every x86-64 CPU this project targets has at least AVX2+FMA; NEON is aarch64's.
        #expect(available.contains(.avx2))
        #expect(!available.contains(.neon))
        #elseif arch(arm64)
        // Advanced SIMD is part of every aarch64 CPU; the AVX paths are x86's.
        #expect(available == [.portable, .neon])
        #endif
    }

    @Test func pathsOfTheOtherArchitectureCannotBeForced() {
        let before = shrink_cpu_forced_path_raw()
        for path in CPUPath.allCases where !path.isSupported {
            #expect(shrink_cpu_force_path(shrink_cpu_path(rawValue: UInt32(path.rawValue))) == -1)
            #expect(shrink_cpu_set_forced_path_raw(Int32(path.rawValue)) == -1)
            #expect(shrink_cpu_forced_path_raw() == before)
        }
        #expect(shrink_cpu_set_forced_path_raw(99) == -1)
        #expect(shrink_cpu_set_forced_path_raw(-2) == -1)
        #expect(CPUPath.allCases.contains { !$0.isSupported })  // every machine lacks one architecture's paths
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
