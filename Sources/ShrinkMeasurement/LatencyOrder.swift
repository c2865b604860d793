/// In which order a benchmark times its (model, batch size) latency targets.
public enum LatencyOrder: String, Codable, CaseIterable, Sendable {
    /// All targets together in interleaved rounds (`LatencyMeasurement.runInterleaved`): a slow
    /// phase of the machine hits every target alike. Needs every model loaded at once.
    case interleaved
    /// One target after another, each with the whole protocol (`LatencyMeasurement.run`); one
    /// model loaded at a time, for models too large to hold together.
    case sequential
}
