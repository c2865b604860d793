#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended and what it used.
public struct ChildProcessResult: Codable, Equatable, Sendable {
    /// The exit status when the process exited normally.
    public var exitStatus: Int32?
    /// The terminating signal when a signal killed it.
    public var terminatingSignal: Int32?
    /// The peak resident set size of the child and of the descendants it waited for, in bytes
    /// (`wait4`'s `ru_maxrss`). On Linux this maximum survives `execve`: it includes the
    /// high-water mark of the address space the child started from, which for a spawned
    /// (vfork-style) child is the parent's. It is therefore an upper bound that is only tight
    /// when the parent is smaller than the child; for exact per-variant figures the child should
    /// report its own `VmHWM` (`ProcessMemory.peakResidentBytes`), which starts afresh at exec.
    public var peakResidentBytes: Int
    /// User CPU time in seconds.
    public var userSeconds: Double
    /// System CPU time in seconds.
    public var systemSeconds: Double
    /// Wall-clock time from spawn to reaping, in seconds.
    public var wallSeconds: Double

    /// Whether the process exited with status 0.
    public var succeeded: Bool { exitStatus == 0 }

    /// Creates a result.
    public init(exitStatus: Int32?, terminatingSignal: Int32?, peakResidentBytes: Int,
                userSeconds: Double, systemSeconds: Double, wallSeconds: Double) {
        self.exitStatus = exitStatus
        self.terminatingSignal = terminatingSignal
        self.peakResidentBytes = peakResidentBytes
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
        self.wallSeconds = wallSeconds
    }

    enum CodingKeys: String, CodingKey {
        case exitStatus = "exit_status"
        case terminatingSignal = "terminating_signal"
        case peakResidentBytes = "peak_resident_bytes"
        case userSeconds = "user_seconds"
        case systemSeconds = "system_seconds"
        case wallSeconds = "wall_seconds"
    }
}

/// Runs a program in a child process and reports how it ended and what it used (see
/// `ChildProcessResult.peakResidentBytes` for what the peak memory figure includes).
public enum ChildProcess {
    /// Spawns `executable` (searched in `PATH` when it has no slash) with `arguments`, waits for
    /// it, and returns its exit status and resource usage from `wait4`.
    ///
    /// - Parameters:
    ///   - standardOutputPath: when given, the child's standard output is written to this file
    ///     (created or truncated); otherwise it is inherited.
    /// - Throws: `MeasurementError.processError` when the process cannot be spawned or waited for.
    public static func run(executable: String, arguments: [String] = [],
                           standardOutputPath: String? = nil,
                           clock: any MeasurementClock = MonotonicClock()) throws -> ChildProcessResult {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        if let standardOutputPath {
            let code = posix_spawn_file_actions_addopen(
                &fileActions, STDOUT_FILENO, standardOutputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard code == 0 else {
                throw MeasurementError.processError(executable: executable, reason: "cannot redirect output: \(String(cString: strerror(code)))")
            }
        }
        let argumentStrings = [executable] + arguments
        var argv: [UnsafeMutablePointer<CChar>?] = argumentStrings.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }

        let start = clock.nanoseconds()
        var processID: pid_t = 0
        let spawnCode = posix_spawnp(&processID, executable, &fileActions, nil, argv, environ)
        guard spawnCode == 0 else {
            throw MeasurementError.processError(executable: executable, reason: "cannot spawn: \(String(cString: strerror(spawnCode)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(processID, &status, 0, &usage) < 0 {
            guard errno == EINTR else {
                throw MeasurementError.processError(executable: executable, reason: "wait4 failed: \(SystemFile.errorText())")
            }
        }
        let end = clock.nanoseconds()
        // The wait status encoding (the WIFEXITED/WTERMSIG macros are not imported into Swift).
        let low = status & 0x7f
        let exitStatus: Int32? = low == 0 ? (status >> 8) & 0xff : nil
        let signal: Int32? = (low != 0 && low != 0x7f) ? low : nil
        return ChildProcessResult(
            exitStatus: exitStatus, terminatingSignal: signal,
            peakResidentBytes: Int(usage.ru_maxrss) * 1024, // Linux reports kilobytes
            userSeconds: seconds(usage.ru_utime), systemSeconds: seconds(usage.ru_stime),
            wallSeconds: Double(end &- start) / 1e9)
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1e6
    }
}
