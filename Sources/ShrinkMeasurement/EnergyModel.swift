/// Counts of arithmetic operations by precision.
///
/// A multiply-accumulate (MAC) at precision p costs one multiplication and one addition at p.
/// Work that mixes precisions (e.g. int8 products accumulated in int32, as VNNI does) is counted
/// as separate `multiplies` and `additions` instead.
public struct OperationCounts: Codable, Equatable, Sendable {
    /// Multiply-accumulates per precision.
    public var multiplyAccumulates: [ArithmeticPrecision: Double]
    /// Stand-alone multiplications per precision.
    public var multiplies: [ArithmeticPrecision: Double]
    /// Stand-alone additions per precision.
    public var additions: [ArithmeticPrecision: Double]

    /// Creates counts (missing precisions count 0).
    public init(multiplyAccumulates: [ArithmeticPrecision: Double] = [:],
                multiplies: [ArithmeticPrecision: Double] = [:],
                additions: [ArithmeticPrecision: Double] = [:]) {
        self.multiplyAccumulates = multiplyAccumulates
        self.multiplies = multiplies
        self.additions = additions
    }

    enum CodingKeys: String, CodingKey {
        case multiplyAccumulates = "multiply_accumulates"
        case multiplies, additions
    }
}

/// Bytes moved per memory level (reads and writes together).
public struct MemoryTraffic: Codable, Equatable, Sendable {
    /// Bytes moved to or from the register file.
    public var registerBytes: Double
    /// Bytes moved to or from on-chip SRAM.
    public var sramBytes: Double
    /// Bytes moved to or from DRAM.
    public var dramBytes: Double

    /// Creates a traffic record.
    public init(registerBytes: Double = 0, sramBytes: Double = 0, dramBytes: Double = 0) {
        self.registerBytes = registerBytes
        self.sramBytes = sramBytes
        self.dramBytes = dramBytes
    }

    /// The bytes moved at `level`.
    public func bytes(_ level: MemoryLevel) -> Double {
        switch level {
        case .register: return registerBytes
        case .sram: return sramBytes
        case .dram: return dramBytes
        }
    }

    enum CodingKeys: String, CodingKey {
        case registerBytes = "register_bytes"
        case sramBytes = "sram_bytes"
        case dramBytes = "dram_bytes"
    }
}

/// Whether an energy component is arithmetic or memory access.
public enum EnergyCategory: String, Codable, Sendable {
    /// Arithmetic operations.
    case compute
    /// Memory accesses.
    case memory
}

/// One line of an energy estimate: a count times a unit cost.
public struct EnergyComponent: Codable, Equatable, Sendable {
    /// What is counted, e.g. `"fp32_multiply"` or `"dram_access"`.
    public var name: String
    /// Arithmetic or memory.
    public var category: EnergyCategory
    /// The number of operations or 32-bit accesses (bytes / 4).
    public var count: Double
    /// The unit cost in picojoules.
    public var picojoulesEach: Double
    /// count × picojoulesEach.
    public var picojoules: Double

    /// Creates a component.
    public init(name: String, category: EnergyCategory, count: Double, picojoulesEach: Double) {
        self.name = name
        self.category = category
        self.count = count
        self.picojoulesEach = picojoulesEach
        self.picojoules = count * picojoulesEach
    }

    enum CodingKeys: String, CodingKey {
        case name, category, count
        case picojoulesEach = "picojoules_each"
        case picojoules
    }
}

/// A modelled energy, with its breakdown.
public struct EnergyEstimate: Codable, Equatable, Sendable {
    /// Energy of the arithmetic, in picojoules.
    public var computePicojoules: Double
    /// Energy of the memory accesses, in picojoules.
    public var memoryPicojoules: Double
    /// computePicojoules + memoryPicojoules.
    public var totalPicojoules: Double
    /// The non-zero components (arithmetic first, by precision, then memory by level).
    public var components: [EnergyComponent]
    /// The table's `source`.
    public var tableSource: String

    /// The total in joules.
    public var totalJoules: Double { totalPicojoules * 1e-12 }

    /// Creates an estimate from its components.
    public init(components: [EnergyComponent], tableSource: String) {
        self.components = components
        self.computePicojoules = components.filter { $0.category == .compute }.reduce(0) { $0 + $1.picojoules }
        self.memoryPicojoules = components.filter { $0.category == .memory }.reduce(0) { $0 + $1.picojoules }
        self.totalPicojoules = computePicojoules + memoryPicojoules
        self.tableSource = tableSource
    }

    enum CodingKeys: String, CodingKey {
        case computePicojoules = "compute_picojoules"
        case memoryPicojoules = "memory_picojoules"
        case totalPicojoules = "total_picojoules"
        case components
        case tableSource = "table_source"
    }
}

/// Modelled energy: counted operations and memory traffic times an `EnergyTable`.
///
/// energy = Σ_p [MAC_p·(mult_p + add_p) + mult-only_p·mult_p + add-only_p·add_p]
///        + Σ_level (bytes_level / 4)·access_level
/// (a 32-bit access moves 4 bytes; partial accesses are counted fractionally).
public enum EnergyModel {
    /// Estimates the energy of `operations` and `memoryTraffic` under `table`.
    public static func estimate(operations: OperationCounts, memoryTraffic: MemoryTraffic,
                                table: EnergyTable = .horowitz45nm) -> EnergyEstimate {
        var components = [EnergyComponent]()
        let costs = table.picojoulesPerOperation
        for precision in ArithmeticPrecision.allCases {
            let macs = operations.multiplyAccumulates[precision] ?? 0
            let multiplies = macs + (operations.multiplies[precision] ?? 0)
            let additions = macs + (operations.additions[precision] ?? 0)
            if multiplies != 0 {
                components.append(EnergyComponent(name: "\(precision.rawValue)_multiply", category: .compute, count: multiplies,
                                                  picojoulesEach: costs.multiply(precision)))
            }
            if additions != 0 {
                components.append(EnergyComponent(name: "\(precision.rawValue)_add", category: .compute, count: additions,
                                                  picojoulesEach: costs.add(precision)))
            }
        }
        for level in MemoryLevel.allCases {
            let bytes = memoryTraffic.bytes(level)
            guard bytes != 0 else { continue }
            components.append(EnergyComponent(name: "\(level.rawValue)_access", category: .memory, count: bytes / 4,
                                              picojoulesEach: table.picojoulesPer32BitAccess.access(level)))
        }
        return EnergyEstimate(components: components, tableSource: table.source)
    }
}
