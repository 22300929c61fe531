/// The alerting rules that page someone: their test alerts are what the routing tree and the
/// Alertmanager pipeline are checked with.
public struct PagingRules: Sendable {
    /// Severities that page when the spec's `alerts.paging` names no alert.
    public static let pagingSeverities = ["page", "critical"]

    /// The rules that page, in file order; each one's ``AlertRule/alertLabels`` (alertname and its
    /// labels, templated values as written) and annotations are what a test alert carries.
    public var rules: [AlertRule]
    /// Names in `alerts.paging` that no alerting rule has.
    public var unknownNames: [String]
    /// True when the rules were chosen by severity because `alerts.paging` is empty.
    public var bySeverity: Bool

    /// The rules named in `paging`, or, when it is empty, every alerting rule whose `severity` label is
    /// `page` or `critical` (in any case). When several rules share a named alert (the same alert at
    /// two thresholds, say), those with a paging severity are taken if there are any, else all of them.
    public init(from rules: [AlertRule], paging names: [String]) {
        let alerting = rules.filter { $0.kind == .alerting }
        func pages(_ rule: AlertRule) -> Bool {
            guard let severity = rule.severity?.lowercased() else { return false }
            return Self.pagingSeverities.contains(severity)
        }
        if names.isEmpty {
            self.rules = alerting.filter(pages)
            unknownNames = []
            bySeverity = true
            return
        }
        var chosen: [AlertRule] = []
        for name in names {
            let named = alerting.filter { $0.name == name }
            let paging = named.filter(pages)
            chosen += paging.isEmpty ? named : paging
        }
        self.rules = alerting.filter { chosen.contains($0) }
        unknownNames = names.filter { name in !alerting.contains { $0.name == name } }
        bySeverity = false
    }
}
