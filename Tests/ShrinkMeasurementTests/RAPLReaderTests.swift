import Foundation
import Testing
@testable import ShrinkMeasurement

@Suite struct RAPLReaderTests {
    static let range: UInt64 = 262_143_328_850

    /// A fake powercap tree: two package domains, a sub-domain and an unrelated entry.
    static func makeTree() throws -> URL {
        let root = try Fixtures.temporaryDirectory("rapl")
        func domain(_ identifier: String, name: String, energy: UInt64) throws {
            let directory = root.appendingPathComponent(identifier)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try "\(name)\n".write(to: directory.appendingPathComponent("name"), atomically: true, encoding: .utf8)
            try "\(energy)\n".write(to: directory.appendingPathComponent("energy_uj"), atomically: true, encoding: .utf8)
            try "\(range)\n".write(to: directory.appendingPathComponent("max_energy_range_uj"), atomically: true, encoding: .utf8)
        }
        try domain("intel-rapl:0", name: "package-0", energy: 1_000_000)
        try domain("intel-rapl:0:0", name: "core", energy: 5)
        try domain("intel-rapl:1", name: "package-1", energy: range - 400)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("dtpm"), withIntermediateDirectories: true)
        return root
    }

    static func setEnergy(_ value: UInt64, of identifier: String, in root: URL) throws {
        try "\(value)\n".write(to: root.appendingPathComponent(identifier).appendingPathComponent("energy_uj"),
                               atomically: true, encoding: .utf8)
    }

    @Test func findsPackageDomainsOnly() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let reader = RAPLReader(root: root.path)
        #expect(reader.available)
        #expect(reader.availability.reason == nil)
        #expect(reader.domains.map(\.identifier) == ["intel-rapl:0", "intel-rapl:1"])
        #expect(reader.domains.map(\.name) == ["package-0", "package-1"])
        #expect(reader.domains.allSatisfy { $0.maximumEnergyRangeMicrojoules == Self.range })
    }

    @Test func energyBetweenSnapshotsWithWrapAround() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let reader = RAPLReader(root: root.path)
        let start = try reader.snapshot()
        #expect(start.energyMicrojoules == [1_000_000, Self.range - 400])
        try Self.setEnergy(3_500_000, of: "intel-rapl:0", in: root)
        try Self.setEnergy(600, of: "intel-rapl:1", in: root) // wrapped: 400 + 600 µJ
        let end = try reader.snapshot()
        let energy = reader.energy(from: start, to: end)
        #expect(energy.available)
        #expect(energy.domains == [
            RAPLDomainEnergy(name: "package-0", joules: 2.5, wrapped: false),
            RAPLDomainEnergy(name: "package-1", joules: 0.001, wrapped: true),
        ])
        #expect(approximatelyEqual(energy.joules ?? 0, 2.501))
    }

    @Test func measureRunsTheOperationBetweenSnapshots() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let reader = RAPLReader(root: root.path)
        let energy = try reader.measure { try Self.setEnergy(1_250_000, of: "intel-rapl:0", in: root) }
        #expect(energy.domains.first?.joules == 0.25)
        #expect(energy.domains.last?.joules == 0)
    }

    @Test func unavailableWithAReason() throws {
        let missing = RAPLReader(root: "/nonexistent/powercap")
        #expect(!missing.available)
        #expect(missing.availability.reason?.contains("cannot list /nonexistent/powercap") == true)
        #expect(throws: MeasurementError.self) { try missing.snapshot() }
        var ran = false
        let energy = missing.measure { ran = true }
        #expect(ran && !energy.available && energy.joules == nil && energy.reason != nil)

        let empty = try Fixtures.temporaryDirectory("rapl-empty")
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(RAPLReader(root: empty.path).availability.reason?.contains("no RAPL package domain") == true)

        // An unreadable counter (a directory stands in for a permission error, which root ignores).
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let counter = root.appendingPathComponent("intel-rapl:1").appendingPathComponent("energy_uj")
        try FileManager.default.removeItem(at: counter)
        try FileManager.default.createDirectory(at: counter, withIntermediateDirectories: false)
        let unreadable = RAPLReader(root: root.path)
        #expect(!unreadable.available)
        #expect(unreadable.availability.reason?.contains("intel-rapl:1/energy_uj") == true)
    }

    @Test func thisMachineReportsAReasonWhenUnavailable() {
        let reader = RAPLReader()
        #expect(reader.available || reader.availability.reason != nil)
    }
}
