import GreenlightCore

/// One rule of a Prometheus rule file: an alerting rule (`alert:`) or a recording rule (`record:`),
/// as written, with where it is.
public struct AlertRule: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case alerting = "alert"
        case recording = "record"
    }

    public var kind: Kind
    /// The alert's name, or the series a recording rule records.
    public var name: String
    public var expr: String
    /// How long the condition must hold before the alert fires (`for:`), as written.
    public var forDuration: String?
    /// How long the alert keeps firing after the condition clears (`keep_firing_for:`), as written.
    public var keepFiringFor: String?
    /// The rule's labels; values may hold templates (`{{ $labels.job }}`), kept as written.
    public var labels: [String: String]
    public var annotations: [String: String]
    /// The name of the rule's group.
    public var group: String
    /// Where the rule's mapping starts (its first key).
    public var location: SourceLocation

    public init(
        kind: Kind, name: String, expr: String, forDuration: String? = nil, keepFiringFor: String? = nil,
        labels: [String: String] = [:], annotations: [String: String] = [:], group: String = "",
        location: SourceLocation
    ) {
        self.kind = kind
        self.name = name
        self.expr = expr
        self.forDuration = forDuration
        self.keepFiringFor = keepFiringFor
        self.labels = labels
        self.annotations = annotations
        self.group = group
        self.location = location
    }

    /// The labels the rule itself gives a firing alert: its labels and `alertname` (which Prometheus
    /// sets last, so a label of that name in the rule does not count). The series' own labels come on
    /// top of these when the alert really fires.
    public var alertLabels: [String: String] {
        var labels = labels
        labels["alertname"] = name
        return labels
    }

    /// The rule as messages name it: `alert CheckoutDown` or `record job:errors:rate5m`.
    public var title: String { "\(kind.rawValue) \(name)" }

    /// The `severity` label, when the rule has one.
    public var severity: String? { labels["severity"] }

    /// Whether a value holds a Go template (`{{ … }}`), which Prometheus fills in when the alert fires.
    static func isTemplate(_ value: String) -> Bool { value.contains("{{") }
}
