import GreenlightCore

/// GreenlightObserve proves that a service can be watched before it ships: its metrics (Prometheus text
/// or OpenMetrics, scraped or read from a Prometheus server), structured logs and the diagnosis test,
/// trace-context propagation, health within 30 s, alert rules, and the alert → page → runbook path
/// through a real Alertmanager. Each part returns ``CheckResult``s in the `observability` category;
/// together they decide the `monitoring-hooks` checklist item. Like every runner, nothing here masks
/// secrets or prints: the redaction boundary in GreenlightGate does.
public enum ObservabilityCheck {
    /// The ids of the checks, one per part (a waiver may name one to excuse it alone).
    public static let metrics = ObservabilitySpec.CheckID.metrics.rawValue
    public static let logs = ObservabilitySpec.CheckID.logs.rawValue
    public static let diagnosis = ObservabilitySpec.CheckID.diagnosis.rawValue
    public static let traces = ObservabilitySpec.CheckID.traces.rawValue
    public static let health = ObservabilitySpec.CheckID.health.rawValue
    public static let alertRules = ObservabilitySpec.CheckID.alertRules.rawValue
    public static let alertRoutes = ObservabilitySpec.CheckID.alertRoutes.rawValue
    public static let alertPipeline = ObservabilitySpec.CheckID.alertPipeline.rawValue

    /// A check of this module, in the observability category.
    package static func result(
        _ id: String, _ title: String, _ status: CheckStatus, _ summary: String, details: [String] = [],
        measurements: [CheckResult.Measurement] = [], durationSeconds: Double = 0
    ) -> CheckResult {
        CheckResult(
            id: id, title: title, category: .observability, status: status, summary: summary, details: details,
            measurements: measurements, durationSeconds: durationSeconds)
    }
}
