import GreenlightCore

/// The routing check (``ObservabilityCheck/alertRoutes``), offline: every paging alert, with the
/// labels its rule gives it, walked through Alertmanager's routing tree from `alertmanager.config`,
/// must reach `alertmanager.receiver`.
public enum AlertRoutesCheck {
    static let title = "Alert routes"

    /// Reads the rule files and Alertmanager's configuration that `alerts` names (relative paths inside
    /// `directory`) and checks the routes of the paging alerts. Skipped when the spec names no
    /// Alertmanager configuration.
    public static func run(alerts: AlertsSpec, directory: String) -> CheckResult {
        guard let alertmanager = alerts.alertmanager, let config = alertmanager.config else {
            return ObservabilityCheck.result(
                ObservabilityCheck.alertRoutes, title, .skipped,
                "no alerts.alertmanager.config: the routing tree is not walked offline")
        }
        var rules: [AlertRule] = []
        var unreadable: [String] = []
        for path in alerts.rules {
            do {
                rules += try RuleFiles.load(path: path, directory: directory)
            } catch {
                unreadable.append(path)
            }
        }
        let routes: AlertmanagerRoutes
        do {
            routes = try AlertmanagerRoutes.parse(file: config, directory: directory)
        } catch {
            return ObservabilityCheck.result(
                ObservabilityCheck.alertRoutes, title, .fail,
                "Alertmanager's configuration \(config) cannot be used", details: error.diagnostics.map(\.description))
        }
        var result = check(
            routes: routes, paging: PagingRules(from: rules, paging: alerts.paging), receiver: alertmanager.receiver)
        result.evidence = [.init(kind: "file", reference: config)]
        if !unreadable.isEmpty {
            // The alerts of a file that cannot be read are unknown, so their routes are too.
            let files = unreadable.joined(separator: ", ")
            result.status = .fail
            let problem = "\(files) cannot be read (see the alert rules check), so the routes of its alerts are unknown"
            result.summary = "\(problem); \(result.summary)"
            result.details.insert(problem, at: 0)
        }
        return result
    }

    /// Checks that the labels of every paging rule reach `receiver` in `routes`.
    public static func check(routes: AlertmanagerRoutes, paging: PagingRules, receiver: String) -> CheckResult {
        var failures: [String] = []
        var warnings: [String] = []
        var passes: [String] = []
        if !routes.receiverNames.contains(receiver) {
            let hint = Suggest.closest(to: receiver, among: routes.receiverNames).map { "; did you mean \($0)?" } ?? ""
            failures.append(
                "the receiver \(receiver) is not defined in \(routes.file) (it defines \(routes.receiverNames.joined(separator: ", ")))\(hint)"
            )
        }
        for name in paging.unknownNames {
            failures.append("alerts.paging names \(name), but no alerting rule in the rule files has that name")
        }
        if paging.rules.isEmpty, paging.unknownNames.isEmpty {
            failures.append(
                paging.bySeverity
                    ? "no alert pages: no alerting rule has severity page or critical, and alerts.paging names none"
                    : "no alert pages")
        }
        let consulted = routes.matchedLabelNames
        for rule in paging.rules {
            let labels = rule.alertLabels
            let reached = routes.routes(for: labels)
            let shown = reached.map { "\($0.receiver) (route at \($0.location))" }.joined(separator: ", ")
            let labelText = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(
                separator: ", ")
            if reached.contains(where: { $0.receiver == receiver }) {
                passes.append("\(rule.location): \(rule.title) reaches \(shown)")
            } else {
                failures.append(
                    "\(rule.location): \(rule.title) reaches \(shown), not \(receiver); its labels: {\(labelText)}")
            }
            let templated = labels.filter { AlertRule.isTemplate($0.value) && consulted.contains($0.key) }.keys.sorted()
            if !templated.isEmpty {
                warnings.append(
                    "\(rule.location): \(rule.title): the routes look at \(templated.joined(separator: ", ")), whose value is a template filled in when the alert fires; routed with the text as written"
                )
            }
        }
        let details = failures + warnings + passes
        let count = Format.count(paging.rules.count, "paging alert")
        let reach = paging.rules.count == 1 ? "reaches" : "reach"
        if !failures.isEmpty {
            return ObservabilityCheck.result(
                ObservabilityCheck.alertRoutes, title, .fail,
                "\(Format.count(failures.count, "problem")) routing \(count) through \(routes.file); first: \(failures[0])",
                details: details)
        }
        if !warnings.isEmpty {
            return ObservabilityCheck.result(
                ObservabilityCheck.alertRoutes, title, .warn,
                "\(count) \(reach) \(receiver) in \(routes.file), \(Format.count(warnings.count, "alert")) routed on a templated label",
                details: details)
        }
        return ObservabilityCheck.result(
            ObservabilityCheck.alertRoutes, title, .pass, "\(count) \(reach) \(receiver) in \(routes.file)",
            details: details)
    }
}
