import GreenlightCore

/// What one probe found, before the prober names it and redacts it into a ``CheckResult``.
struct ProbeOutcome: Sendable {
    var status: CheckStatus
    var summary: String
    var details: [String] = []
    var measurements: [CheckResult.Measurement] = []

    static func pass(
        _ summary: String, details: [String] = [], measurements: [CheckResult.Measurement] = []
    ) -> ProbeOutcome {
        ProbeOutcome(status: .pass, summary: summary, details: details, measurements: measurements)
    }

    static func warn(
        _ summary: String, details: [String] = [], measurements: [CheckResult.Measurement] = []
    ) -> ProbeOutcome {
        ProbeOutcome(status: .warn, summary: summary, details: details, measurements: measurements)
    }

    static func fail(
        _ summary: String, details: [String] = [], measurements: [CheckResult.Measurement] = []
    ) -> ProbeOutcome {
        ProbeOutcome(status: .fail, summary: summary, details: details, measurements: measurements)
    }

    /// The check itself could not be carried out: the spec is incomplete or a local file is missing.
    static func error(_ summary: String, details: [String] = []) -> ProbeOutcome {
        ProbeOutcome(status: .error, summary: summary, details: details)
    }
}

extension CheckResult.Measurement {
    /// A duration in milliseconds, to a hundredth.
    static func milliseconds(_ name: String, _ seconds: Double) -> CheckResult.Measurement {
        CheckResult.Measurement(name: name, value: (seconds * 100_000).rounded() / 100, unit: "ms")
    }
}

/// A reason a probe stops early, already worded for the summary.
struct ProbeFailure: Error {
    var reason: String
    var details: [String] = []
}
