import Foundation
import ShrinkMeasurement
#if canImport(Glibc)
import Glibc
#endif

/// Where and with what code a run happens: the machine and code-version fields of records.
public enum RunEnvironment {
    /// The code that runs: `shrink` and its version.
    public static let codeVersion = "shrink 0.1.0"

    /// This machine: CPU model (`/proc/cpuinfo`), logical cores online, physical memory, kernel
    /// name and release (`uname`), host name, and `kernelPath` (the CPU path the kernels use,
    /// e.g. `avx512`, given by the caller, which knows it).
    public static func machine(kernelPath: String) -> MachineDescription {
        MachineDescription(
            cpuModel: cpuModel() ?? "unknown",
            logicalCores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: Int(clamping: ProcessInfo.processInfo.physicalMemory),
            operatingSystem: operatingSystem(),
            kernelPath: kernelPath,
            hostName: hostName())
    }

    /// The `model name` line of `/proc/cpuinfo`, if readable.
    static func cpuModel() -> String? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/cpuinfo") else { return nil }
        defer { try? handle.close() }
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// `uname -sr`, e.g. `Linux 6.1.0-18-cloud-amd64`.
    static func operatingSystem() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return ProcessInfo.processInfo.operatingSystemVersionString }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return field(names.sysname) + " " + field(names.release)
    }

    /// The host's name (`gethostname`).
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
