import CShrinkKernels
import Dispatch
import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// `Parallelism.forEachChunk` on the persistent worker pool (`shrink_parallel_for`): coverage,
/// results, nested and concurrent callers. Whether a call gets the pool depends on what other
/// tests run at the same time, so every expectation here holds either way.
@Suite
struct ParallelismTests {
    /// Runs forEachChunk (with the default thread count when `threadCount` is nil) and returns
    /// how often each index was visited and the chunks found by walking the ranges from 0.
    static func chunks(count: Int, minimumChunk: Int, threadCount: Int?) -> (visits: [Int], chunks: Int, tiled: Bool) {
        var visits = [Int](repeating: 0, count: count)
        // Each chunk records its end in the slot of its start index (disjoint writes).
        var ends = [Int](repeating: -1, count: count)
        visits.withUnsafeMutableBufferPointer { visits in
            ends.withUnsafeMutableBufferPointer { ends in
                let body = { (range: Range<Int>) in
                    for index in range { visits[index] += 1 }
                    if !range.isEmpty { ends[range.lowerBound] = range.upperBound }
                }
                if let threadCount {
                    Parallelism.forEachChunk(count: count, minimumChunk: minimumChunk, threadCount: threadCount, body)
                } else {
                    Parallelism.forEachChunk(count: count, minimumChunk: minimumChunk, body)
                }
            }
        }
        var position = 0, chunks = 0
        while position < count, ends[position] > position {
            position = ends[position]
            chunks += 1
        }
        return (visits, chunks, position == count)
    }

    @Test func everyIndexIsCoveredExactlyOnceByAtMostThreadCountContiguousChunks() {
        for count in [0, 1, 2, 3, 5, 7, 16, 63, 64, 65, 100, 1000] {
            for threadCount in 1...6 {
                for minimumChunk in [1, 3, 32] {
                    let label = "count \(count), threads \(threadCount), minimum \(minimumChunk)"
                    let (visits, chunks, tiled) = Self.chunks(count: count, minimumChunk: minimumChunk, threadCount: threadCount)
                    #expect(visits.allSatisfy { $0 == 1 }, "\(label)")
                    #expect(tiled, "\(label): the chunks do not tile the range")
                    let expectedChunks = count == 0 ? 0 : max(1, min(threadCount, count / minimumChunk))
                    #expect(chunks == expectedChunks, "\(label)")
                }
            }
        }
    }

    @Test func parallelResultsEqualSerialResults() {
        var generator = SeededRandomNumberGenerator(seed: 11)
        let input = (0..<5000).map { _ in generator.nextUniform() }
        func transform(_ value: Float) -> Float { (value * 3 + 1).squareRoot() - value * value }
        let serial = input.map(transform)
        for threadCount in [2, 3, 4, 8] {
            var output = [Float](repeating: .nan, count: input.count)
            input.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    Parallelism.forEachChunk(count: x.count, minimumChunk: 100, threadCount: threadCount) { range in
                        for index in range { y[index] = transform(x[index]) }
                    }
                }
            }
            #expect(output.map(\.bitPattern) == serial.map(\.bitPattern), "threads \(threadCount)")
        }
    }

    @Test func nestedCallsInsideChunksComplete() {
        let outer = 4, inner = 50
        var visits = [Int](repeating: 0, count: outer * inner)
        visits.withUnsafeMutableBufferPointer { visits in
            Parallelism.forEachChunk(count: outer, threadCount: outer) { outerRange in
                for block in outerRange {
                    Parallelism.forEachChunk(count: inner, threadCount: 3) { innerRange in
                        for index in innerRange { visits[block * inner + index] += 1 }
                    }
                }
            }
        }
        #expect(visits.allSatisfy { $0 == 1 })
    }

    @Test func concurrentCallersAllCompleteWithCorrectResults() {
        let callers = 8, jobs = 200
        var failures = [Int](repeating: 0, count: callers)
        failures.withUnsafeMutableBufferPointer { failures in
            DispatchQueue.concurrentPerform(iterations: callers) { caller in
                var sums = [Int](repeating: 0, count: 64)
                for job in 0..<jobs {
                    let count = 1 + (job * 7 + caller) % 64
                    sums.withUnsafeMutableBufferPointer { sums in
                        Parallelism.forEachChunk(count: count, threadCount: 1 + (job + caller) % 4) { range in
                            for index in range { sums[index] = index * job + caller }
                        }
                    }
                    if (0..<count).contains(where: { sums[$0] != $0 * job + caller }) { failures[caller] += 1 }
                }
            }
        }
        #expect(failures == [Int](repeating: 0, count: callers))
    }

    @Test func aNestedPoolCallRunsSeriallyWhileTheOuterJobHoldsThePool() {
        // The outer job records what the nested calls of its chunks returned (0 = ran serially).
        var nested = [Int32](repeating: -1, count: 2)
        let outerWorkers = nested.withUnsafeMutableBufferPointer { nested in
            shrink_parallel_for(2, { context, chunk in
                let nested = context!.assumingMemoryBound(to: Int32.self)
                nested[Int(chunk)] = shrink_parallel_for(3, { _, _ in }, nil)
            }, nested.baseAddress!)
        }
        #expect(nested.allSatisfy { $0 >= 0 })
        if outerWorkers > 0 {
            #expect(nested == [0, 0], "a nested call took the pool its outer job holds")
        }
    }

    @Test func threadCountOverrideLimitsTheChunks() {
        for threadCount in [1, 2, 3, 5] {
            Parallelism.withThreadCount(threadCount) {
                #expect(Parallelism.threadCount == threadCount)
                let (visits, chunks, tiled) = Self.chunks(count: 30, minimumChunk: 1, threadCount: nil)
                #expect(visits.allSatisfy { $0 == 1 } && tiled)
                #expect(chunks == threadCount)
            }
        }
    }
}
