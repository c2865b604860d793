import Foundation
import ShrinkFormats
import ShrinkNN
import ShrinkRuntime
import ShrinkTensor
import Testing

/// The plan keeps one copy of each weight in its runtime form: for the VGG-16 head (fp32,
/// 123.6 M weights), building the plan and dropping the tensors leaves at most 1.15 × the
/// packed weight bytes plus the arena resident, measured in a child process running only the
/// probe test (this test binary, `--filter`), so that no other test's pages are counted.
@Suite("Resident memory", .serialized)
struct ResidentMemoryTests {
    static func residentBytes() -> Int {
        let fields = ((try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "").split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Linear 25088→4096, ReLU, 4096→4096, ReLU, 4096→1000.
    static var vggHead: Graph {
        var builder = GraphBuilder(name: "vgg16-head", inputShape: [25088])
        var x = builder.add("fc6", LinearOperator(inputFeatures: 25088, outputFeatures: 4096), builder.input)
        x = builder.add("relu6", ReLUOperator(), x)
        x = builder.add("fc7", LinearOperator(inputFeatures: 4096, outputFeatures: 4096), x)
        x = builder.add("relu7", ReLUOperator(), x)
        builder.add("fc8", LinearOperator(inputFeatures: 4096, outputFeatures: 1000), x)
        return builder.finish()
    }

    /// Random fp32 weights (a fixed LCG: fast enough in debug builds, every page touched).
    static func tensors() -> [StoredTensor] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func tensor(_ shape: [Int]) -> Tensor {
            let count = shape.reduce(1, *)
            let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    buffer[index] = Float(Int32(truncatingIfNeeded: state >> 33)) * 1e-11
                }
                initialized = count
            }
            return Tensor(shape: shape, scalars: scalars)
        }
        return [("fc6", 4096, 25088), ("fc7", 4096, 4096), ("fc8", 1000, 4096)].flatMap { name, outputs, inputs in
            [StoredTensor(name: "\(name).weight", value: tensor([outputs, inputs])),
             StoredTensor(name: "\(name).bias", value: tensor([outputs]))]
        }
    }

    /// The measurement, meant for a process of its own: other tests running in parallel
    /// allocate too, and the process's RSS counts their pages (a shared-process measurement
    /// failed once in CI at 1.21×). Prints one `resident-probe` line.
    static func measure() throws -> (resident: Int, weights: Int, arena: Int) {
        let before = residentBytes()
        // The tensors are a temporary: released once the plan is built.
        let plan = try ExecutionPlan(graph: vggHead, tensors: tensors())
        _ = try plan.run(Tensor(zeros: [1, 25088]))
        return (residentBytes() - before, plan.layerWeightBytes.reduce(0, +), plan.activationBufferBytes)
    }

    /// The argument that selects `probe` in the child process.
    static let probeFilter = "residentMemoryProbeInItsOwnProcess"

    /// Runs the measurement only when this process was started to run this test alone (the
    /// parent test below passes `--filter` with its name); otherwise does nothing.
    @Test func residentMemoryProbeInItsOwnProcess() throws {
        guard CommandLine.arguments.contains(Self.probeFilter) else { return }
        let figures = try Self.measure()
        print("resident-probe \(figures.resident) \(figures.weights) \(figures.arena)")
    }

    @Test("VGG-16 head: resident bytes ≤ 1.15 × (weight bytes + arena bytes), measured in a process of its own")
    func vggHeadResidentBytes() throws {
        // In the child itself (should its filter ever select this test too), never spawn again.
        guard !CommandLine.arguments.contains(Self.probeFilter) else { return }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = ["--testing-library", "swift-testing", "--filter", Self.probeFilter]
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = FileHandle.nullDevice
        try child.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("resident-probe ") },
                                "the child printed no measurement: \(output.suffix(500))")
        let numbers = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        try #require(numbers.count == 3)
        let (resident, weightBytes, arenaBytes) = (numbers[0], numbers[1], numbers[2])
        print("VGG-16 head: resident \(resident) bytes, weights \(weightBytes), arena \(arenaBytes), ratio "
              + "\(Double(resident) / Double(weightBytes + arenaBytes))")
        #expect(weightBytes > 490_000_000)
        #expect(Double(resident) <= 1.15 * Double(weightBytes + arenaBytes))
    }
}
