/// How an experiment's metric compares with the control's.
public enum Classification: String, Sendable, Hashable, Codable, CaseIterable {
    /// The experiment is higher, beyond the tolerance.
    case high = "High"
    /// The experiment is lower, beyond the tolerance.
    case low = "Low"
    /// No difference that matters.
    case pass = "Pass"
    /// One of the arms has no data.
    case nodata = "Nodata"
}

/// Which way a metric must not move.
public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only a higher experiment is bad (latency, errors): a Low counts as Pass.
    case increase
    /// Only a lower experiment is bad (throughput, conversions): a High counts as Pass.
    case decrease
    /// A move either way is bad.
    case either

    /// The classification as it counts for this direction.
    public func judge(_ observed: Classification) -> Classification {
        switch (self, observed) {
        case (.increase, .low), (.decrease, .high): .pass
        default: observed
        }
    }
}

/// Input the judge cannot work with: what was wrong, said so that a user can fix it.
public struct JudgeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The median as numpy computes it: the middle value, or the mean of the middle two.
func median(ofSorted values: [Double]) -> Double {
    precondition(!values.isEmpty, "the median of no values")
    let middle = values.count / 2
    return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
}
