import ArgumentParser
import CShrinkAllocationCounter
import Foundation
import ShrinkBenchmarking
import ShrinkMeasurement
import Testing
@testable import ShrinkCLI

@Suite struct BenchCommandTests {
    @Test func optionsParse() throws {
        let command = try BenchCommand.parse([
            "a.shrink", "b.shrink", "--batch", "1, 8,64", "--warm-up", "3", "--max-runs", "40", "--min-runs", "6",
            "--target-half-width", "0.05", "--test-limit", "100", "--name", "A", "--name", "B", "--threads", "1", "--json",
        ])
        #expect(command.options.batchSizes.sizes == [1, 8, 64])
        #expect(command.names == ["A", "B"] && command.json)
        let configuration = try command.benchmarkConfiguration(memoryProbe: .skipped(reason: "test"))
        #expect(configuration.batchSizes == [1, 8, 64] && configuration.threads == 1)
        #expect(configuration.warmUpRuns == 3 && configuration.minimumRuns == 6 && configuration.maximumRuns == 40)
        #expect(configuration.targetRelativeHalfWidth == 0.05 && configuration.testSampleLimit == 100)
        #expect(configuration.shard == nil && configuration.energyTable == .horowitz45nm)
        #expect(command.selectedFiles().map(\.name) == ["A", "B"])
        // Interleaved rounds of 3 runs unless told otherwise.
        #expect(configuration.latencyOrder == .interleaved && configuration.runsPerRound == 3)
    }

    @Test func latencyOrderAndRunsPerRoundParse() throws {
        let command = try BenchCommand.parse(["a.shrink", "--latency-order", "sequential", "--runs-per-round", "5"])
        let configuration = try command.benchmarkConfiguration(memoryProbe: .skipped(reason: "test"))
        #expect(configuration.latencyOrder == .sequential && configuration.runsPerRound == 5)
        let interleaved = try BenchCommand.parse(["a.shrink", "--latency-order", "interleaved"])
        #expect(interleaved.options.latencyOrder == .interleaved)
        for (arguments, expected) in [(["a.shrink", "--latency-order", "random"], ["interleaved", "sequential"]),
                                      (["a.shrink", "--runs-per-round", "0"], ["--runs-per-round", "at least 1"])] {
            do {
                _ = try BenchCommand.parse(arguments)
                Issue.record("\(arguments) should be rejected")
            } catch {
                let message = BenchCommand.message(for: error)
                #expect(expected.allSatisfy { message.contains($0) }, "\(message)")
            }
        }
        #expect(BenchCommand.helpMessage().contains("--latency-order"))
    }

    @Test func shardSelectsEveryNthFileFromOne() throws {
        let files = (0..<7).map { "m\($0).shrink" }
        let first = try BenchCommand.parse(files + ["--shard", "1/3"])
        #expect(first.selectedFiles().map(\.path) == ["m0.shrink", "m3.shrink", "m6.shrink"])
        let third = try BenchCommand.parse(files + ["--shard", "3/3"])
        #expect(third.selectedFiles().map(\.path) == ["m2.shrink", "m5.shrink"])
        #expect(try third.benchmarkConfiguration(memoryProbe: .skipped(reason: "test")).shard == "3/3")
        // Every file lands in exactly one shard.
        let all = try (1...3).flatMap { try BenchCommand.parse(files + ["--shard", "\($0)/3"]).selectedFiles().map(\.path) }
        #expect(all.sorted() == files.sorted())
        let unsharded = try BenchCommand.parse(files)
        #expect(unsharded.selectedFiles().count == 7)
    }

    @Test func invalidOptionsAreRejected() {
        let bad: [[String]] = [
            [],
            ["a.shrink", "--batch", "0"],
            ["a.shrink", "--batch", "1,x"],
            ["a.shrink", "--batch", "4,4"],
            ["a.shrink", "--warm-up", "-1"],
            ["a.shrink", "--max-runs", "5", "--min-runs", "10"],
            ["a.shrink", "--target-half-width", "0"],
            ["a.shrink", "--target-half-width", "2"],
            ["a.shrink", "--test-limit", "0"],
            ["a.shrink", "b.shrink", "--name", "only-one"],
            ["a.shrink", "--shard", "0/2"],
            ["a.shrink", "--shard", "3/2"],
            ["a.shrink", "--shard", "1-2"],
            ["a.shrink", "--energy-table", "/nonexistent/table.json"],
            ["a.shrink", "--threads", "0"],
        ]
        for arguments in bad {
            #expect(throws: (any Error).self, "\(arguments)") { try BenchCommand.parse(arguments) }
        }
    }

    @Test func validationMessagesNameTheOption() {
        do {
            _ = try BenchCommand.parse(["a.shrink", "b.shrink", "--name", "x"])
            Issue.record("a --name count that does not match the files should be rejected")
        } catch {
            let message = BenchCommand.message(for: error)
            #expect(message.contains("--name") && message.contains("2 files"))
        }
    }

    @Test func probeSubcommandParsesAndIsHidden() throws {
        let probe = try BenchProbeCommand.parse(["m.shrink", "--batch", "1,8", "--threads", "2", "--runs", "4"])
        #expect(probe.file == "m.shrink" && probe.batchSizes.sizes == [1, 8] && probe.threads == 2 && probe.runs == 4)
        #expect(BenchProbeCommand.configuration.shouldDisplay == false)
        #expect(BenchProbeCommand.configuration.commandName == "bench-probe")
        #expect(throws: (any Error).self) { try BenchProbeCommand.parse(["m.shrink", "--batch", "0"]) }
        // The parent's arguments are what the probe accepts.
        let arguments = Array(MemoryProbe.arguments(path: "m.shrink", batchSizes: [1, 64], threads: 1).dropFirst())
        #expect(try BenchProbeCommand.parse(arguments).batchSizes.sizes == [1, 64])
        #expect(Shrink.configuration.subcommands.contains { ObjectIdentifier($0) == ObjectIdentifier(BenchProbeCommand.self) })
    }

    @Test func allocationCounterCountsHeapAllocations() {
        let before = shrink_allocation_count()
        #expect(before >= 0, "this Linux/glibc build should count allocations")
        for _ in 0..<10 {
            let pointer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 64)
            pointer.deallocate()
        }
        // Other tests run in parallel and allocate too, so only a lower bound holds.
        #expect(shrink_allocation_count() - before >= 10)
    }
}
