import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// Centroid fine-tuning (Deep Compression §3.3, eq. 3) as a trainer constraint: after every
/// optimizer step, each centroid moves by the **sum** of the steps its members took, and every
/// member is reset to its centroid. Indices never change; the reserved zero of pruned weights
/// (see `SharedWeights`) stays exactly 0.
///
/// **Why this is eq. 3.** Before a step every member `w_i` of centroid `c` equals `c`, so the
/// backward pass computes `g_i = ∂L/∂w_i` at the shared value. For SGD with momentum `μ`,
/// weight decay `λ` and optional Nesterov momentum, the element update is linear in the
/// gradient: `v_i ← μ v_i + g_i + λ c`, `w_i ← c − lr · v_i`. Summing over the members,
/// `V = Σ v_i` obeys `V ← μ V + Σ g_i + λ n c` and `Σ (w_i − c) = −lr · V`: exactly SGD with
/// momentum on `c` with gradient `Σ g_i` (plus the L2 penalty of all `n` members). So the
/// normal `Trainer` with an SGD optimizer drives centroid fine-tuning unchanged. With Adam the
/// per-element updates are not linear, and the constraint applies the sum of the members'
/// Adam steps instead, which is not eq. 3; `WeightClusteringStep` therefore fine-tunes with SGD.
///
/// The constraint is a class because the centroids change as training proceeds; read
/// `sharedWeights` afterwards for the fine-tuned palettes. It must be applied (the trainer
/// does this before the first step) only while every clustered parameter equals its palette,
/// which `WeightClusterer` establishes.
public final class SharedWeightConstraint: ParameterConstraint {
    /// The clustered parameters by full name, with their current centroids.
    public private(set) var sharedWeights: [String: SharedWeights]

    public init(sharedWeights: [SharedWeights]) {
        self.sharedWeights = Dictionary(uniqueKeysWithValues: sharedWeights.map { ($0.parameterName, $0) })
    }

    /// Keeps the palettes an earlier clustering step recorded in `model.parameterStates` while a
    /// later step fine-tunes (index 0 is the fixed zero where the parameter also has a mask and
    /// centroid 0 is 0). The model's values must equal their palettes, as after
    /// `WeightClusterer.finalize`.
    public convenience init(palettesOf model: CompressedModel) {
        let shared = model.parameterStates.sorted { $0.key < $1.key }.compactMap { name, state -> SharedWeights? in
            guard let palette = state.palette else { return nil }
            let reservesZero = state.mask != nil && palette.centroids.first == 0
            return SharedWeights(parameterName: name, palette: palette, reservesZero: reservesZero)
        }
        self.init(sharedWeights: shared)
    }

    public func apply(to parameters: [Parameter]) {
        for parameter in parameters {
            guard var shared = sharedWeights[parameter.name] else { continue }
            let indices = shared.palette.indices
            precondition(parameter.value.count == indices.count,
                         "\(parameter.name): \(parameter.value.count) values for \(indices.count) palette indices")
            // Σ (w_i − c) per centroid, in double precision.
            var movements = [Double](repeating: 0, count: shared.palette.centroids.count)
            parameter.value.withUnsafeBufferPointer { values in
                shared.palette.centroids.withUnsafeBufferPointer { centroids in
                    indices.withUnsafeBufferPointer { indices in
                        movements.withUnsafeMutableBufferPointer { movements in
                            for element in 0..<indices.count {
                                let index = Int(indices[element])
                                movements[index] += Double(values[element]) - Double(centroids[index])
                            }
                        }
                    }
                }
            }
            for centroid in shared.firstTrainableCentroid..<shared.palette.centroids.count {
                shared.palette.centroids[centroid] = Float(Double(shared.palette.centroids[centroid]) + movements[centroid])
            }
            shared.writeValues(into: &parameter.value)
            sharedWeights[parameter.name] = shared
        }
    }
}
