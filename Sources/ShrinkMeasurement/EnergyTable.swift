import Foundation

/// Energy per arithmetic operation by precision, in picojoules.
public struct OperationEnergies: Codable, Equatable, Sendable {
    /// 32-bit float addition.
    public var fp32Add: Double
    /// 32-bit float multiplication.
    public var fp32Multiply: Double
    /// 16-bit float addition.
    public var fp16Add: Double
    /// 16-bit float multiplication.
    public var fp16Multiply: Double
    /// 32-bit integer addition.
    public var int32Add: Double
    /// 32-bit integer multiplication.
    public var int32Multiply: Double
    /// 8-bit integer addition.
    public var int8Add: Double
    /// 8-bit integer multiplication.
    public var int8Multiply: Double

    /// Creates a set of operation energies (picojoules).
    public init(fp32Add: Double, fp32Multiply: Double, fp16Add: Double, fp16Multiply: Double,
                int32Add: Double, int32Multiply: Double, int8Add: Double, int8Multiply: Double) {
        self.fp32Add = fp32Add
        self.fp32Multiply = fp32Multiply
        self.fp16Add = fp16Add
        self.fp16Multiply = fp16Multiply
        self.int32Add = int32Add
        self.int32Multiply = int32Multiply
        self.int8Add = int8Add
        self.int8Multiply = int8Multiply
    }

    /// The energy of one addition at `precision`.
    public func add(_ precision: ArithmeticPrecision) -> Double {
        switch precision {
        case .fp32: return fp32Add
        case .fp16: return fp16Add
        case .int32: return int32Add
        case .int8: return int8Add
        }
    }

    /// The energy of one multiplication at `precision`.
    public func multiply(_ precision: ArithmeticPrecision) -> Double {
        switch precision {
        case .fp32: return fp32Multiply
        case .fp16: return fp16Multiply
        case .int32: return int32Multiply
        case .int8: return int8Multiply
        }
    }

    enum CodingKeys: String, CodingKey {
        case fp32Add = "fp32_add"
        case fp32Multiply = "fp32_multiply"
        case fp16Add = "fp16_add"
        case fp16Multiply = "fp16_multiply"
        case int32Add = "int32_add"
        case int32Multiply = "int32_multiply"
        case int8Add = "int8_add"
        case int8Multiply = "int8_multiply"
    }
}

/// Energy per 32-bit memory access by memory level, in picojoules.
public struct MemoryAccessEnergies: Codable, Equatable, Sendable {
    /// A 32-bit register-file access.
    public var register: Double
    /// A 32-bit on-chip SRAM (cache) access.
    public var sram: Double
    /// A 32-bit off-chip DRAM access.
    public var dram: Double

    /// Creates a set of access energies (picojoules per 32-bit access).
    public init(register: Double, sram: Double, dram: Double) {
        self.register = register
        self.sram = sram
        self.dram = dram
    }

    /// The energy of one 32-bit access at `level`.
    public func access(_ level: MemoryLevel) -> Double {
        switch level {
        case .register: return register
        case .sram: return sram
        case .dram: return dram
        }
    }
}

/// A numeric precision of arithmetic.
public enum ArithmeticPrecision: String, Codable, CodingKeyRepresentable, CaseIterable, Sendable {
    /// 32-bit IEEE float.
    case fp32
    /// 16-bit IEEE float.
    case fp16
    /// 32-bit integer.
    case int32
    /// 8-bit integer.
    case int8
}

/// A level of the memory hierarchy.
public enum MemoryLevel: String, Codable, CaseIterable, Sendable {
    /// The register file.
    case register
    /// On-chip SRAM (caches).
    case sram
    /// Off-chip DRAM.
    case dram
}

/// Energy costs of arithmetic and memory accesses, used by `EnergyModel`.
///
/// The default, `horowitz45nm`, is the 45 nm, 0.9 V table of M. Horowitz, "Computing's energy
/// problem (and what we can do about it)", ISSCC 2014, as quoted by Han et al. (Deep Compression,
/// ICLR 2016; Learning both Weights and Connections, NIPS 2015): fp32 add 0.9 pJ, fp32 multiply
/// 3.7 pJ, fp16 add 0.4 pJ, fp16 multiply 1.1 pJ, int32 add 0.1 pJ, int32 multiply 3.1 pJ, int8
/// add 0.03 pJ, int8 multiply 0.2 pJ; per 32-bit access: register file 1 pJ, SRAM (8 KB) 5 pJ,
/// DRAM 640 pJ. Users may supply their own table as JSON (see `load(path:)`).
public struct EnergyTable: Codable, Equatable, Sendable {
    /// Where the numbers come from (free text, reported with estimates).
    public var source: String
    /// Picojoules per arithmetic operation.
    public var picojoulesPerOperation: OperationEnergies
    /// Picojoules per 32-bit memory access.
    public var picojoulesPer32BitAccess: MemoryAccessEnergies

    /// Creates a table.
    public init(source: String, picojoulesPerOperation: OperationEnergies,
                picojoulesPer32BitAccess: MemoryAccessEnergies) {
        self.source = source
        self.picojoulesPerOperation = picojoulesPerOperation
        self.picojoulesPer32BitAccess = picojoulesPer32BitAccess
    }

    /// Horowitz, ISSCC 2014, 45 nm (the table Deep Compression cites); the register-file entry
    /// is from Han et al., NIPS 2015, Figure 1.
    public static let horowitz45nm = EnergyTable(
        source: "Horowitz, Computing's energy problem, ISSCC 2014, 45 nm 0.9 V (as cited by Han et al., Deep Compression, ICLR 2016); register file 1 pJ from Han et al., NIPS 2015",
        picojoulesPerOperation: OperationEnergies(
            fp32Add: 0.9, fp32Multiply: 3.7, fp16Add: 0.4, fp16Multiply: 1.1,
            int32Add: 0.1, int32Multiply: 3.1, int8Add: 0.03, int8Multiply: 0.2),
        picojoulesPer32BitAccess: MemoryAccessEnergies(register: 1, sram: 5, dram: 640))

    /// Decodes a table from JSON (the `Codable` form: `source`, `picojoules_per_operation`,
    /// `picojoules_per_32_bit_access`). Every energy must be finite and non-negative.
    public static func decode(json: Data) throws -> EnergyTable {
        let table: EnergyTable
        do {
            table = try JSONDecoder().decode(EnergyTable.self, from: json)
        } catch let error as DecodingError {
            throw MeasurementError.invalidArgument(name: "energy table", reason: error.oneLineDescription)
        } catch {
            throw MeasurementError.invalidArgument(name: "energy table", reason: "\(error)")
        }
        try table.validate()
        return table
    }

    /// Reads a table from a JSON file.
    public static func load(path: String) throws -> EnergyTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MeasurementError.fileError(path: path, reason: "cannot read the energy table")
        }
        return try decode(json: data)
    }

    /// Throws unless every energy is finite and non-negative.
    public func validate() throws {
        let operations = picojoulesPerOperation
        let memory = picojoulesPer32BitAccess
        let entries: [(String, Double)] = [
            ("fp32_add", operations.fp32Add), ("fp32_multiply", operations.fp32Multiply),
            ("fp16_add", operations.fp16Add), ("fp16_multiply", operations.fp16Multiply),
            ("int32_add", operations.int32Add), ("int32_multiply", operations.int32Multiply),
            ("int8_add", operations.int8Add), ("int8_multiply", operations.int8Multiply),
            ("register", memory.register), ("sram", memory.sram), ("dram", memory.dram),
        ]
        for (name, value) in entries where !(value.isFinite && value >= 0) {
            throw MeasurementError.invalidArgument(name: "energy table \(name)", reason: "\(value) is not a finite non-negative energy")
        }
    }

    enum CodingKeys: String, CodingKey {
        case source
        case picojoulesPerOperation = "picojoules_per_operation"
        case picojoulesPer32BitAccess = "picojoules_per_32_bit_access"
    }
}
