import CShrinkKernels

/// The instruction-set path the C kernels run on. Chosen at run time from the CPU's features;
/// tests and benchmarks may force a slower path to compare paths on one machine. x86-64 has
/// portable, AVX2 and AVX-512 (each CPU runs the ones up to its detected path); aarch64 has
/// portable and NEON.
public enum CPUPath: Int, CaseIterable, Sendable, CustomStringConvertible {
    case portable = 0
    case avx2 = 1
    case avx512 = 2
    case neon = 3

    /// The fastest path this CPU supports.
    public static var detected: CPUPath {
        CPUPath(rawValue: Int(shrink_cpu_detected_path().rawValue)) ?? .portable
    }

    /// The path kernels called from this thread use now.
    public static var active: CPUPath {
        CPUPath(rawValue: Int(shrink_cpu_active_path().rawValue)) ?? .portable
    }

    /// Every path this CPU can run, slowest first (portable first, the detected path last).
    public static var available: [CPUPath] {
        allCases.filter { $0.isSupported }
    }

    /// Whether kernels can be forced onto this path on this CPU.
    public var isSupported: Bool {
        shrink_cpu_path_supported(shrink_cpu_path(rawValue: UInt32(rawValue))) != 0
    }

    /// Runs `body` with the kernels it calls forced onto `path`, then restores what was forced
    /// before. The choice belongs to the calling thread (concurrent tests do not see each
    /// other's), and `Parallelism` hands it to the worker threads that run chunks of `body`'s work.
    public static func withPath<Result>(_ path: CPUPath, _ body: () throws -> Result) rethrows -> Result {
        let previous = shrink_cpu_forced_path_raw()
        precondition(shrink_cpu_force_path(shrink_cpu_path(rawValue: UInt32(path.rawValue))) == 0,
                     "CPU path \(path) is not supported on this machine")
        defer { _ = shrink_cpu_set_forced_path_raw(previous) }
        return try body()
    }

    /// Runs `body` on this thread with the forced path of another thread (a raw value from
    /// `shrink_cpu_forced_path_raw`), restoring this thread's own afterwards.
    static func adoptingForcedPath(_ raw: Int32, _ body: () -> Void) {
        let own = shrink_cpu_forced_path_raw()
        if raw == own { return body() }
        _ = shrink_cpu_set_forced_path_raw(raw)
        defer { _ = shrink_cpu_set_forced_path_raw(own) }
        body()
    }

    public var description: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2"
        case .avx512: "avx512"
        case .neon: "neon"
        }
    }
}
