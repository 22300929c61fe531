import Foundation

/// A paging alert to send through Alertmanager as a test: the rule's labels (`alertname` among them) and
/// annotations, as a rule file declares them.
public struct TestAlert: Sendable {
    /// The label that tells one test alert from every other alert: a fresh UUID per run.
    public static let testIDLabel = "greenlight_test_id"

    /// The labels, `alertname` included; routing in Alertmanager matches on these.
    public var labels: [(String, String)]
    /// The annotations; only `runbook_url` is kept in what is sent.
    public var annotations: [(String, String)]

    public init(labels: [(String, String)], annotations: [(String, String)] = []) {
        self.labels = labels
        self.annotations = annotations
    }

    /// An alert named `name` (its `alertname` label) with further `labels`.
    public init(name: String, labels: [(String, String)] = [], annotations: [(String, String)] = []) {
        self.init(labels: [("alertname", name)] + labels.filter { $0.0 != "alertname" }, annotations: annotations)
    }

    /// The `alertname` label.
    public var name: String { labels.first { $0.0 == "alertname" }?.1 ?? "the unnamed alert" }

    /// The `runbook_url` annotation, the page's link to what to do.
    public var runbookURL: String? { annotations.first { $0.0 == "runbook_url" }?.1 }

    /// The alert as greenlight posts it: the rule's labels plus `greenlight_test_id`, and annotations
    /// saying plainly that it is a test (the rule's summary and description are templates for a real
    /// incident), with the rule's runbook kept. It ends by itself at `endsAt` should greenlight never
    /// resolve it.
    func postable(testID: String, startsAt: Date, endsAt: Date) -> PostableAlert {
        var annotations = [
            ("summary", "greenlight readiness test of \(name): not a real incident"),
            (
                "description",
                "greenlight sent this alert to prove that it pages; it resolves itself. Nothing needs doing."
            ),
        ]
        if let runbookURL { annotations.append(("runbook_url", runbookURL)) }
        return PostableAlert(
            labels: labels.filter { $0.0 != Self.testIDLabel } + [(Self.testIDLabel, testID)],
            annotations: annotations, startsAt: startsAt, endsAt: endsAt)
    }
}
