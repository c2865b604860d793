import Foundation
import ShrinkFormats
import ShrinkNN
import ShrinkRuntime
import ShrinkTensor
import Testing

/// The plan keeps one copy of each weight in its runtime form: for the VGG-16 head (fp32,
/// 123.6 M weights), building the plan and dropping the tensors leaves at most 1.15 × the
/// packed weight bytes plus the arena resident.
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

    @Test("VGG-16 head: resident bytes ≤ 1.15 × (weight bytes + arena bytes)")
    func vggHeadResidentBytes() throws {
        let before = Self.residentBytes()
        // The tensors are a temporary: released once the plan is built.
        let plan = try ExecutionPlan(graph: Self.vggHead, tensors: Self.tensors())
        _ = try plan.run(Tensor(zeros: [1, 25088]))
        let resident = Self.residentBytes() - before
        let weightBytes = plan.layerWeightBytes.reduce(0, +), arenaBytes = plan.activationBufferBytes
        print("VGG-16 head: resident \(resident) bytes, weights \(weightBytes), arena \(arenaBytes), ratio "
              + "\(Double(resident) / Double(weightBytes + arenaBytes))")
        #expect(Double(resident) <= 1.15 * Double(weightBytes + arenaBytes))
    }
}
