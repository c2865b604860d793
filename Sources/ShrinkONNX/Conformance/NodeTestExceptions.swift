/// The node tests of supported ops that Shrink does not pass, each with its reason. The runner
/// reports a listed test that passes as passed, so the list can only shrink; a failing test that
/// is not listed fails the run.
public enum NodeTestExceptions {
    public static let reasons: [String: String] = [:]
}
