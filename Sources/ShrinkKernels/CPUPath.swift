import CShrinkKernels

/// The instruction-set path the C kernels run on. Chosen at run time from the CPU's features;
/// tests and benchmarks may force a slower path to compare paths on one machine.
public enum CPUPath: Int, CaseIterable, Sendable, CustomStringConvertible {
    case portable = 0
    case avx2 = 1
    case avx512 = 2

    /// The fastest path this CPU supports.
    public static var detected: CPUPath {
        CPUPath(rawValue: Int(shrink_cpu_detected_path().rawValue)) ?? .portable
    }

    /// The path the kernels use now.
    public static var active: CPUPath {
        CPUPath(rawValue: Int(shrink_cpu_active_path().rawValue)) ?? .portable
    }

    /// Every path this CPU can run, slowest first.
    public static var available: [CPUPath] {
        allCases.filter { $0.rawValue <= detected.rawValue }
    }

    /// Runs `body` with the kernels forced onto `path`, then restores the previous path.
    /// Not thread-safe: meant for tests and benchmarks that run one path at a time.
    public static func withPath<Result>(_ path: CPUPath, _ body: () throws -> Result) rethrows -> Result {
        let previous = active
        precondition(shrink_cpu_force_path(shrink_cpu_path(rawValue: UInt32(path.rawValue))) == 0,
                     "CPU path \(path) is not supported on this machine")
        defer { _ = shrink_cpu_force_path(shrink_cpu_path(rawValue: UInt32(previous.rawValue))) }
        return try body()
    }

    public var description: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }
}
