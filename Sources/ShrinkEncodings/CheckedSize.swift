/// Checked arithmetic for sizes computed from untrusted counts.
enum CheckedSize {
    /// `a · b`, or nil on overflow.
    static func product(_ a: Int, _ b: Int) -> Int? {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : result
    }

    /// `a + b`, or nil on overflow.
    static func sum(_ a: Int, _ b: Int) -> Int? {
        let (result, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : result
    }
}
