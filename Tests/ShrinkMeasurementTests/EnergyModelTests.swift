import Foundation
import Testing
@testable import ShrinkMeasurement

@Suite struct EnergyModelTests {
    @Test func defaultTableIsHorowitz45nm() {
        let table = EnergyTable.horowitz45nm
        let operations = table.picojoulesPerOperation
        #expect(operations.fp32Add == 0.9 && operations.fp32Multiply == 3.7)
        #expect(operations.fp16Add == 0.4 && operations.fp16Multiply == 1.1)
        #expect(operations.int32Add == 0.1 && operations.int32Multiply == 3.1)
        #expect(operations.int8Add == 0.03 && operations.int8Multiply == 0.2)
        #expect(table.picojoulesPer32BitAccess == MemoryAccessEnergies(register: 1, sram: 5, dram: 640))
    }

    @Test func estimateByHand() {
        // 1000 fp32 MACs: 1000·(3.7 + 0.9) = 4600 pJ.
        // 500 int8 MACs: 500·(0.2 + 0.03) = 115 pJ; 500 extra int32 additions: 50 pJ.
        // 40 register bytes = 10 accesses·1 pJ; 400 SRAM bytes = 100·5 pJ; 4000 DRAM bytes = 1000·640 pJ.
        let estimate = EnergyModel.estimate(
            operations: OperationCounts(multiplyAccumulates: [.fp32: 1000, .int8: 500], additions: [.int32: 500]),
            memoryTraffic: MemoryTraffic(registerBytes: 40, sramBytes: 400, dramBytes: 4000))
        #expect(approximatelyEqual(estimate.computePicojoules, 4765, tolerance: 1e-9))
        #expect(approximatelyEqual(estimate.memoryPicojoules, 640_510, tolerance: 1e-9))
        #expect(approximatelyEqual(estimate.totalPicojoules, 645_275, tolerance: 1e-9))
        #expect(approximatelyEqual(estimate.totalJoules, 645_275e-12, tolerance: 1e-20))
        let byName = Dictionary(uniqueKeysWithValues: estimate.components.map { ($0.name, $0) })
        #expect(estimate.components.map(\.name) == [
            "fp32_multiply", "fp32_add", "int32_add", "int8_multiply", "int8_add",
            "register_access", "sram_access", "dram_access",
        ])
        #expect(byName["int32_add"]?.count == 500)
        #expect(byName["dram_access"]?.count == 1000 && byName["dram_access"]?.category == .memory)
        #expect(approximatelyEqual(byName["int8_add"]?.picojoules ?? 0, 15, tolerance: 1e-12))
    }

    @Test func zeroWorkCostsNothing() {
        let estimate = EnergyModel.estimate(operations: OperationCounts(), memoryTraffic: MemoryTraffic())
        #expect(estimate.totalPicojoules == 0 && estimate.components.isEmpty)
    }

    @Test func replacementTableFromJSON() throws {
        let json = """
        {"source": "test table",
         "picojoules_per_operation": {"fp32_add": 1, "fp32_multiply": 2, "fp16_add": 0.5, "fp16_multiply": 0.75,
                                      "int32_add": 0.25, "int32_multiply": 1.5, "int8_add": 0.125, "int8_multiply": 0.5},
         "picojoules_per_32_bit_access": {"register": 0.5, "sram": 10, "dram": 100}}
        """
        let table = try EnergyTable.decode(json: Data(json.utf8))
        // 10 fp16 MACs·1.25 + 8 DRAM bytes (2 accesses)·100.
        let estimate = EnergyModel.estimate(operations: OperationCounts(multiplyAccumulates: [.fp16: 10]),
                                            memoryTraffic: MemoryTraffic(dramBytes: 8), table: table)
        #expect(estimate.totalPicojoules == 212.5)
        #expect(estimate.tableSource == "test table")

        let directory = try Fixtures.temporaryDirectory("energy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("table.json").path
        try JSONEncoder().encode(EnergyTable.horowitz45nm).write(to: URL(fileURLWithPath: path))
        #expect(try EnergyTable.load(path: path) == .horowitz45nm)
        #expect(throws: MeasurementError.self) { try EnergyTable.load(path: directory.appendingPathComponent("missing.json").path) }
    }

    @Test func invalidTablesAreRejected() {
        let negative = """
        {"source": "bad", "picojoules_per_operation": {"fp32_add": -1, "fp32_multiply": 2, "fp16_add": 0.5,
         "fp16_multiply": 0.75, "int32_add": 0.25, "int32_multiply": 1.5, "int8_add": 0.125, "int8_multiply": 0.5},
         "picojoules_per_32_bit_access": {"register": 0.5, "sram": 10, "dram": 100}}
        """
        #expect(throws: MeasurementError.self) { try EnergyTable.decode(json: Data(negative.utf8)) }
        #expect(throws: MeasurementError.self) { try EnergyTable.decode(json: Data("{\"source\": \"x\"}".utf8)) }
    }

    @Test func jsonFieldNamesAreSnakeCase() throws {
        let estimate = EnergyModel.estimate(operations: OperationCounts(multiplyAccumulates: [.int8: 4]),
                                            memoryTraffic: MemoryTraffic(sramBytes: 4))
        let text = String(decoding: try JSONEncoder().encode(estimate), as: UTF8.self)
        for key in ["\"total_picojoules\"", "\"compute_picojoules\"", "\"memory_picojoules\"", "\"picojoules_each\"", "\"table_source\""] {
            #expect(text.contains(key), "missing \(key)")
        }
        let counts = String(decoding: try JSONEncoder().encode(OperationCounts(multiplyAccumulates: [.int8: 4])), as: UTF8.self)
        #expect(counts.contains("\"multiply_accumulates\":{\"int8\":4}"))
        let table = String(decoding: try JSONEncoder().encode(EnergyTable.horowitz45nm), as: UTF8.self)
        #expect(table.contains("\"picojoules_per_32_bit_access\"") && table.contains("\"int8_multiply\""))
    }
}
