/// Whether measured energy is available, and why not.
public struct RAPLAvailability: Codable, Equatable, Sendable {
    /// True when at least one package domain's counter can be read.
    public var available: Bool
    /// Why it is unavailable (nil when available).
    public var reason: String?

    /// Creates an availability record.
    public init(available: Bool, reason: String?) {
        self.available = available
        self.reason = reason
    }
}

/// A package-level RAPL energy domain under the powercap tree.
public struct RAPLDomain: Codable, Equatable, Sendable {
    /// The directory name, e.g. `intel-rapl:0`.
    public var identifier: String
    /// The domain's `name` file, e.g. `package-0` (the identifier if it has none).
    public var name: String
    /// The counter's range: it wraps to 0 after this many microjoules (`max_energy_range_uj`).
    public var maximumEnergyRangeMicrojoules: UInt64

    /// Creates a domain description.
    public init(identifier: String, name: String, maximumEnergyRangeMicrojoules: UInt64) {
        self.identifier = identifier
        self.name = name
        self.maximumEnergyRangeMicrojoules = maximumEnergyRangeMicrojoules
    }

    enum CodingKeys: String, CodingKey {
        case identifier, name
        case maximumEnergyRangeMicrojoules = "maximum_energy_range_microjoules"
    }
}

/// The counters of every domain at one instant.
public struct RAPLSnapshot: Codable, Equatable, Sendable {
    /// `energy_uj` per domain, in `RAPLReader.domains` order.
    public var energyMicrojoules: [UInt64]

    /// Creates a snapshot.
    public init(energyMicrojoules: [UInt64]) {
        self.energyMicrojoules = energyMicrojoules
    }

    enum CodingKeys: String, CodingKey {
        case energyMicrojoules = "energy_microjoules"
    }
}

/// Energy consumed by one domain between two snapshots.
public struct RAPLDomainEnergy: Codable, Equatable, Sendable {
    /// The domain's name (e.g. `package-0`).
    public var name: String
    /// The energy in joules.
    public var joules: Double
    /// Whether the counter wrapped around between the snapshots.
    public var wrapped: Bool

    /// Creates a record.
    public init(name: String, joules: Double, wrapped: Bool) {
        self.name = name
        self.joules = joules
        self.wrapped = wrapped
    }
}

/// Measured energy, or the reason there is none.
public struct MeasuredEnergy: Codable, Equatable, Sendable {
    /// Whether the RAPL counters were readable.
    public var available: Bool
    /// Why not, when unavailable.
    public var reason: String?
    /// The sum over package domains, in joules (nil when unavailable).
    public var joules: Double?
    /// Per-domain energies.
    public var domains: [RAPLDomainEnergy]

    /// Creates a record.
    public init(available: Bool, reason: String?, joules: Double?, domains: [RAPLDomainEnergy]) {
        self.available = available
        self.reason = reason
        self.joules = joules
        self.domains = domains
    }
}

/// Reads package energy counters from the Linux powercap (RAPL) interface.
///
/// It looks under `root` (normally `/sys/class/powercap`) for package domains: entries named
/// `<vendor>-rapl:<n>` (e.g. `intel-rapl:0`, which AMD processors also use on kernels with the
/// AMD RAPL driver); sub-domains such as `intel-rapl:0:0` (cores, DRAM) are skipped because the
/// package counter already includes the cores. A counter counts microjoules up to
/// `max_energy_range_uj` and then wraps to 0; a difference whose end is below its start is
/// taken as one wrap: end + range − start (at most one wrap between snapshots is assumed, so
/// snapshots must be closer than one wrap period, minutes at full load). Since Linux 5.10
/// `energy_uj` is readable only by root (CVE-2020-8694), so ordinary users usually see
/// "unavailable" with a permission reason.
public struct RAPLReader: Sendable {
    /// The powercap directory searched.
    public let root: String
    /// The package domains found (empty when unavailable).
    public let domains: [RAPLDomain]
    /// Whether the counters can be read, and why not.
    public let availability: RAPLAvailability

    /// Looks for package domains under `root` and checks that their counters are readable.
    public init(root: String = "/sys/class/powercap") {
        self.root = root
        switch Self.discover(root: root) {
        case .success(let found):
            domains = found
            availability = RAPLAvailability(available: true, reason: nil)
        case .failure(let failure):
            domains = []
            availability = RAPLAvailability(available: false, reason: failure.reason)
        }
    }

    /// Whether the counters can be read.
    public var available: Bool { availability.available }

    /// Reads every domain's counter.
    public func snapshot() throws -> RAPLSnapshot {
        guard available else {
            throw MeasurementError.fileError(path: root, reason: availability.reason ?? "RAPL unavailable")
        }
        var values = [UInt64]()
        for domain in domains {
            let path = "\(root)/\(domain.identifier)/energy_uj"
            switch Self.readCounter(path) {
            case .success(let value): values.append(value)
            case .failure(let failure): throw MeasurementError.fileError(path: path, reason: failure.reason)
            }
        }
        return RAPLSnapshot(energyMicrojoules: values)
    }

    /// The energy consumed between two snapshots of this reader, per domain and in total.
    public func energy(from start: RAPLSnapshot, to end: RAPLSnapshot) -> MeasuredEnergy {
        guard available else {
            return MeasuredEnergy(available: false, reason: availability.reason, joules: nil, domains: [])
        }
        precondition(start.energyMicrojoules.count == domains.count && end.energyMicrojoules.count == domains.count,
                     "snapshots do not match the reader's \(domains.count) domains")
        var records = [RAPLDomainEnergy]()
        for (index, domain) in domains.enumerated() {
            let (microjoules, wrapped) = Self.difference(
                from: start.energyMicrojoules[index], to: end.energyMicrojoules[index],
                range: domain.maximumEnergyRangeMicrojoules)
            records.append(RAPLDomainEnergy(name: domain.name, joules: Double(microjoules) * 1e-6, wrapped: wrapped))
        }
        return MeasuredEnergy(available: true, reason: nil,
                              joules: records.reduce(0) { $0 + $1.joules }, domains: records)
    }

    /// Runs `operation` between two snapshots; reports unavailability instead of throwing when
    /// the counters cannot be read.
    public func measure(_ operation: () throws -> Void) rethrows -> MeasuredEnergy {
        guard available, let start = try? snapshot() else {
            try operation()
            return MeasuredEnergy(available: false, reason: availability.reason ?? "cannot read the counters",
                                  joules: nil, domains: [])
        }
        try operation()
        guard let end = try? snapshot() else {
            return MeasuredEnergy(available: false, reason: "cannot read the counters after the run", joules: nil, domains: [])
        }
        return energy(from: start, to: end)
    }

    /// end − start in microjoules, allowing one wrap of a counter with range `range`.
    static func difference(from start: UInt64, to end: UInt64, range: UInt64) -> (UInt64, Bool) {
        if end >= start { return (end - start, false) }
        return (range &- start &+ end, true)
    }

    private struct DiscoveryFailure: Error {
        var reason: String
    }

    private static func discover(root: String) -> Result<[RAPLDomain], DiscoveryFailure> {
        let entries: [String]
        switch SystemFile.directoryEntries(root) {
        case .success(let names): entries = names
        case .failure(let failure):
            return .failure(DiscoveryFailure(reason: "cannot list \(failure.path): \(failure.message)"))
        }
        let packages = entries.filter(isPackageDomain)
        guard !packages.isEmpty else {
            return .failure(DiscoveryFailure(reason: "no RAPL package domain (<vendor>-rapl:<n>) under \(root)"))
        }
        var domains = [RAPLDomain]()
        for identifier in packages {
            let directory = "\(root)/\(identifier)"
            let name: String
            switch SystemFile.readText("\(directory)/name") {
            case .success(let text): name = text.trimmingWhitespace.isEmpty ? identifier : text.trimmingWhitespace
            case .failure: name = identifier
            }
            let range: UInt64
            switch readCounter("\(directory)/max_energy_range_uj") {
            case .success(let value): range = value
            case .failure(let failure): return .failure(DiscoveryFailure(reason: failure.reason))
            }
            if case .failure(let failure) = readCounter("\(directory)/energy_uj") {
                return .failure(DiscoveryFailure(reason: failure.reason))
            }
            domains.append(RAPLDomain(identifier: identifier, name: name, maximumEnergyRangeMicrojoules: range))
        }
        return .success(domains)
    }

    /// `intel-rapl:0` style: a vendor prefix ending in "-rapl", one colon, a decimal index.
    private static func isPackageDomain(_ name: String) -> Bool {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 && parts[0].hasSuffix("-rapl") && !parts[1].isEmpty && parts[1].allSatisfy(\.isNumber)
    }

    private static func readCounter(_ path: String) -> Result<UInt64, DiscoveryFailure> {
        switch SystemFile.readText(path, limit: 64) {
        case .success(let text):
            guard let value = UInt64(text.trimmingWhitespace) else {
                return .failure(DiscoveryFailure(reason: "\(path): not a counter value: \(text.trimmingWhitespace)"))
            }
            return .success(value)
        case .failure(let failure):
            return .failure(DiscoveryFailure(reason: "cannot read \(failure.path): \(failure.message)"))
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
