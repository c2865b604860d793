import Foundation
import Testing
@testable import ShrinkMeasurement

@Suite struct ProcessMemoryTests {
    @Test func ownPeakIsAtLeastCurrent() throws {
        // Current first: the high-water mark read afterwards covers it even if other tests
        // allocate in between.
        let current = try ProcessMemory.currentResidentBytes()
        let peak = try ProcessMemory.peakResidentBytes()
        #expect(current > 0)
        #expect(peak >= current)
    }

    @Test func parsesAStatusFile() throws {
        let root = try Fixtures.temporaryDirectory("proc")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("42")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "Name:\tmodel\nVmPeak:\t  900 kB\nVmHWM:\t   12345 kB\nVmRSS:\t     678 kB\n"
            .write(to: directory.appendingPathComponent("status"), atomically: true, encoding: .utf8)
        #expect(try ProcessMemory.peakResidentBytes(processID: 42, procRoot: root.path) == 12345 * 1024)
        #expect(try ProcessMemory.currentResidentBytes(processID: 42, procRoot: root.path) == 678 * 1024)
        #expect(throws: MeasurementError.self) { try ProcessMemory.peakResidentBytes(processID: 43, procRoot: root.path) }
    }

    @Test func childExitStatusAndSignal() throws {
        let success = try ChildProcess.run(executable: "/bin/true")
        #expect(success.succeeded && success.terminatingSignal == nil)
        #expect(success.peakResidentBytes > 0)
        let failure = try ChildProcess.run(executable: "sh", arguments: ["-c", "exit 3"])
        #expect(failure.exitStatus == 3 && !failure.succeeded)
        let killed = try ChildProcess.run(executable: "sh", arguments: ["-c", "kill -9 $$"])
        #expect(killed.exitStatus == nil && killed.terminatingSignal == 9)
        #expect(throws: MeasurementError.self) { try ChildProcess.run(executable: "/nonexistent/program") }
    }

    @Test func childPeakMemorySeesALargeBuffer() throws {
        // dd with a 48 MiB block reads /dev/zero into one buffer, touching every page.
        // No upper bound on a small child: ru_maxrss includes the parent's high-water mark (the
        // address space a spawned child starts from), and the test process itself is large.
        let large = try ChildProcess.run(executable: "dd", arguments: ["if=/dev/zero", "of=/dev/null", "bs=48M", "count=1", "status=none"])
        #expect(large.succeeded)
        #expect(large.peakResidentBytes >= 40 << 20)
        #expect(ProcessMemory.childrenPeakResidentBytes() >= 40 << 20)
    }

    @Test func childOutputRedirection() throws {
        let directory = try Fixtures.temporaryDirectory("child")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("out.txt").path
        let result = try ChildProcess.run(executable: "sh", arguments: ["-c", "echo hello; echo world"], standardOutputPath: path)
        #expect(result.succeeded)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello\nworld\n")
    }
}
