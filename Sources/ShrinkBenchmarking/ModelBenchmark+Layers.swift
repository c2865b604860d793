import ShrinkFormats
import ShrinkMeasurement
import ShrinkNN
import ShrinkRuntime

extension ModelBenchmark {
    /// One row per stored tensor, in file order, from the same inspection `shrink inspect` shows.
    static func layers(inspection: ModelFileInspection, plan: ExecutionPlan) -> [LayerFigures] {
        var layerTypes = [String: String]()
        func collect(_ layers: [NamedLayerSpecification]) {
            for layer in layers {
                if case let .sequential(nested) = layer.layer { collect(nested) } else { layerTypes[layer.name] = layer.layer.typeName }
            }
        }
        collect(inspection.model.architecture.layers)
        var kernels = [String: String]()
        for layer in plan.layers {
            kernels[layer.name] = layer.kernel.description
            // Nodes without a layer of that name (graphs): the op's type name.
            if layerTypes[layer.name] == nil { layerTypes[layer.name] = layer.operatorType }
        }
        return zip(inspection.tensors, inspection.model.tensors).map { report, stored in
            let layerName = report.name.split(separator: ".").dropLast().joined(separator: ".")
            let nonZero = stored.value.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            return LayerFigures(
                name: report.name, layerType: layerTypes[layerName] ?? "unknown", elements: report.elementCount,
                nonZero: nonZero, encoding: report.encodingDescription, valueBits: Double(report.weightBits),
                storedBytes: report.storedByteCount, kernel: kernels[layerName] ?? "unknown")
        }
    }
}
