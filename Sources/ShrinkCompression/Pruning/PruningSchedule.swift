import Foundation

/// When and how fast magnitude pruning reaches its target during fine-tuning.
///
/// Targets are sparsities (fractions of zeros) per tensor, or the global sparsity; the schedules
/// below map the final target `s_f` to intermediate targets.
public enum PruningSchedule: Codable, Equatable, Sendable {
    /// Prune once to the final target, then fine-tune `fineTuneEpochs` epochs with the mask fixed
    /// (Han et al. with one pruning pass).
    case oneShot
    /// `iterations` cycles of "prune to an intermediate target, fine-tune `fineTuneEpochs` epochs";
    /// the last cycle's target is the final one (Han et al.'s iterative pruning).
    case iterative(iterations: Int, spacing: IterativeSpacing)
    /// Zhu & Gupta (2017) gradual pruning during one fine-tuning run of `fineTuneEpochs` epochs:
    /// at optimizer step `t` (counted from the start of fine-tuning) the target is
    /// `s_t = s_f + (s_i − s_f)·(1 − (t − t₀)/(n·Δt))³` for `t₀ ≤ t ≤ t₀ + n·Δt`, with
    /// `t₀ = beginStep`, `t₀ + n·Δt = endStep`, `Δt = frequency`; masks are recomputed at
    /// `t₀, t₀ + Δt, …, endStep` (and stay fixed between and after). `s_i` is capped at `s_f`.
    case gradual(initialSparsity: Double, beginStep: Int, endStep: Int, frequency: Int)
    /// Prune once to the final target at fine-tuning step `beginStep` (0: before the first step)
    /// and keep that mask for the rest of fine-tuning (constant sparsity, as in TensorFlow Model
    /// Optimization's `ConstantSparsity` used by Rachmanto et al.).
    case constant(beginStep: Int)

    /// How the intermediate targets of iterative pruning approach the final one.
    public enum IterativeSpacing: String, Codable, Equatable, Sendable {
        /// Sparsity grows linearly: `s_i = s_f · i / k`.
        case linear
        /// The kept fraction shrinks geometrically (the same factor each cycle):
        /// `s_i = 1 − (1 − s_f)^(i/k)`.
        case geometric
    }

    /// The target of iteration `iteration` (1-based) of `iterations` for the final `finalSparsity`.
    public static func iterativeTarget(
        finalSparsity: Double, iteration: Int, iterations: Int, spacing: IterativeSpacing
    ) -> Double {
        precondition(iterations > 0 && iteration >= 1 && iteration <= iterations, "iteration \(iteration) of \(iterations)")
        if iteration == iterations { return finalSparsity }
        let progress = Double(iteration) / Double(iterations)
        switch spacing {
        case .linear:
            return finalSparsity * progress
        case .geometric:
            return 1 - pow(1 - finalSparsity, progress)
        }
    }

    /// Zhu & Gupta's polynomial target at step `step`: `initialSparsity` (capped at the final
    /// value) before and at `beginStep`, the cubic ramp in between, `finalSparsity` from `endStep` on.
    public static func polynomialTarget(
        finalSparsity: Double, initialSparsity: Double, step: Int, beginStep: Int, endStep: Int
    ) -> Double {
        let initial = min(initialSparsity, finalSparsity)
        guard endStep > beginStep else { return step >= beginStep ? finalSparsity : initial }
        if step <= beginStep { return initial }
        if step >= endStep { return finalSparsity }
        let progress = Double(step - beginStep) / Double(endStep - beginStep)
        let remaining = 1 - progress
        return finalSparsity + (initial - finalSparsity) * remaining * remaining * remaining
    }

    /// Whether the masks are recomputed after `step` optimizer steps of fine-tuning (gradual and
    /// constant schedules only).
    public func updatesMasks(atStep step: Int) -> Bool {
        switch self {
        case .oneShot, .iterative:
            return false
        case let .gradual(_, beginStep, endStep, frequency):
            return step >= beginStep && step <= endStep && ((step - beginStep) % frequency == 0 || step == endStep)
        case let .constant(beginStep):
            return step == beginStep
        }
    }

    /// The last fine-tuning step at which the schedule changes masks (gradual and constant).
    var lastMaskUpdateStep: Int? {
        switch self {
        case .oneShot, .iterative: nil
        case let .gradual(_, _, endStep, _): endStep
        case let .constant(beginStep): beginStep
        }
    }

    /// Throws if a parameter is out of range.
    public func validate() throws(PruningError) {
        switch self {
        case .oneShot:
            break
        case let .iterative(iterations, _):
            guard iterations >= 1 else { throw .invalidSchedule(reason: "iterations must be at least 1, got \(iterations)") }
        case let .gradual(initialSparsity, beginStep, endStep, frequency):
            guard initialSparsity >= 0, initialSparsity < 1 else {
                throw .invalidSchedule(reason: "initialSparsity must be in [0, 1), got \(initialSparsity)")
            }
            guard beginStep >= 0 else { throw .invalidSchedule(reason: "beginStep must not be negative, got \(beginStep)") }
            guard endStep >= beginStep else {
                throw .invalidSchedule(reason: "endStep \(endStep) must not be before beginStep \(beginStep)")
            }
            guard frequency >= 1 else { throw .invalidSchedule(reason: "frequency must be at least 1, got \(frequency)") }
        case let .constant(beginStep):
            guard beginStep >= 0 else { throw .invalidSchedule(reason: "beginStep must not be negative, got \(beginStep)") }
        }
    }

    /// A short description for reports.
    var summary: String {
        switch self {
        case .oneShot: "one-shot"
        case let .iterative(iterations, spacing): "iterative \(iterations)× \(spacing.rawValue)"
        case let .gradual(initial, begin, end, frequency):
            "gradual from \(initial) over steps \(begin)...\(end) every \(frequency)"
        case let .constant(beginStep): "constant from step \(beginStep)"
        }
    }
}
