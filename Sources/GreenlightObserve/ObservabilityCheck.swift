import GreenlightCore

/// GreenlightObserve proves that a service can be watched before it ships: its metrics (Prometheus text
/// or OpenMetrics, scraped or read from a Prometheus server), structured logs and the diagnosis test,
/// trace-context propagation, health within 30 s, alert rules, and the alert → page → runbook path
/// through a real Alertmanager. Each part returns ``CheckResult``s in the `observability` category;
/// together they decide the `monitoring-hooks` checklist item. Like every runner, nothing here masks
/// secrets or prints: the redaction boundary in GreenlightGate does.
public enum ObservabilityCheck {
    /// The ids of the checks, one per part.
    public static let metrics = "observability.metrics"
    public static let logs = "observability.logs"
    public static let diagnosis = "observability.diagnosis"
    public static let traces = "observability.traces"
    public static let health = "observability.health"
    public static let alertRules = "observability.alert-rules"
    public static let alertRoutes = "observability.alert-routes"
    public static let alertPipeline = "observability.alert-pipeline"

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
