#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ShrinkKernels
import ShrinkMeasurement

extension MachineDescription {
    /// This machine: CPU model from `/proc/cpuinfo`, online processors, `MemTotal` from
    /// `/proc/meminfo`, `uname` system and release, the active kernel path and the host name.
    /// Unreadable fields become `unknown` / 0.
    public static func current(procRoot: String = "/proc") -> MachineDescription {
        let cpuinfo = (try? String(contentsOfFile: "\(procRoot)/cpuinfo", encoding: .utf8)) ?? ""
        let meminfo = (try? String(contentsOfFile: "\(procRoot)/meminfo", encoding: .utf8)) ?? ""
        var names = utsname()
        uname(&names)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
        }
        var host = [CChar](repeating: 0, count: 256)
        let hostName = gethostname(&host, host.count - 1) == 0
            ? String(decoding: host.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
        return MachineDescription(
            cpuModel: cpuModel(cpuinfo: cpuinfo) ?? "unknown",
            logicalCores: max(0, sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            memoryBytes: memoryBytes(meminfo: meminfo) ?? 0,
            operatingSystem: "\(text(names.sysname)) \(text(names.release))",
            kernelPath: CPUPath.active.description,
            hostName: hostName)
    }

    /// The first `model name` value of a `/proc/cpuinfo` text.
    static func cpuModel(cpuinfo: String) -> String? {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// `MemTotal` of a `/proc/meminfo` text, in bytes.
    static func memoryBytes(meminfo: String) -> Int? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let words = line.dropFirst("MemTotal:".count).split(separator: " ")
            guard let value = words.first.flatMap({ Int($0) }) else { return nil }
            return words.count > 1 && words[1].lowercased() == "kb" ? value * 1024 : value
        }
        return nil
    }
}
