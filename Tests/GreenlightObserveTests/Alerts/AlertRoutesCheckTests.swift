import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightObserve

@Suite("Paging rules and the routing check")
struct AlertRoutesCheckTests {
    static let rules = AlertFixtures.ruleFile(
        """
              - alert: CheckoutDown
                expr: up{job="checkout"} == 0
                labels: { severity: page, service: checkout }
                annotations: { summary: down, runbook_url: rb.md }
              - alert: CheckoutErrors
                expr: errors > 0.05
                labels: { severity: warning, service: checkout }
                annotations: { summary: errors, runbook_url: rb.md }
              - alert: CheckoutErrors
                expr: errors > 0.2
                labels: { severity: critical, service: checkout }
                annotations: { summary: errors, runbook_url: rb.md }
              - alert: DatabaseDown
                expr: pg_up == 0
                labels: { severity: Critical, team: db, service: postgres }
                annotations: { summary: db down, runbook_url: rb.md }
              - alert: CheckoutSlow
                expr: latency > 1
                labels: { severity: ticket, service: checkout }
                annotations: { summary: slow, runbook_url: rb.md }
              - record: job:errors:rate5m
                expr: rate(errors[5m])
              - alert: ShardDown
                expr: shard_up == 0
                labels: { severity: page, shard: "{{ $labels.shard }}" }
                annotations: { summary: shard down, runbook_url: rb.md }

        """)

    static func parsed() throws -> [AlertRule] { try RuleFiles.parse(Data(rules.utf8), file: "rules.yml") }

    @Test("without alerts.paging, the alerting rules of severity page or critical page, with their labels")
    func bySeverity() throws {
        let paging = PagingRules(from: try Self.parsed(), paging: [])
        #expect(paging.bySeverity)
        #expect(paging.rules.map(\.name) == ["CheckoutDown", "CheckoutErrors", "DatabaseDown", "ShardDown"])
        #expect(paging.rules[1].severity == "critical")
        #expect(
            paging.rules[0].alertLabels == ["alertname": "CheckoutDown", "severity": "page", "service": "checkout"])
        #expect(paging.rules[3].alertLabels["shard"] == "{{ $labels.shard }}")
        #expect(paging.rules[0].annotations == ["summary": "down", "runbook_url": "rb.md"])
    }

    @Test(
        "alerts.paging names the alerts; of a name's rules those that page are taken, else all; unknown names are kept")
    func byName() throws {
        let paging = PagingRules(
            from: try Self.parsed(), paging: ["CheckoutErrors", "CheckoutSlow", "Nope", "job:errors:rate5m"])
        #expect(!paging.bySeverity)
        #expect(paging.rules.map(\.name) == ["CheckoutErrors", "CheckoutSlow"])
        #expect(paging.rules.map(\.severity) == ["critical", "ticket"])
        #expect(paging.unknownNames == ["Nope", "job:errors:rate5m"])
    }

    static func check(paging: [String], receiver: String, rules: String = rules) throws -> CheckResult {
        let routes = try AlertmanagerRoutes.parse(Data(AlertFixtures.routing.utf8), file: "alertmanager.yml")
        let parsed = try RuleFiles.parse(Data(rules.utf8), file: "rules.yml")
        return AlertRoutesCheck.check(
            routes: routes, paging: PagingRules(from: parsed, paging: paging), receiver: receiver)
    }

    @Test("paging alerts that reach the receiver pass")
    func passes() throws {
        let result = try Self.check(paging: ["CheckoutDown", "CheckoutErrors"], receiver: "oncall")
        #expect(result.id == ObservabilityCheck.alertRoutes)
        #expect(result.status == .pass, "\(result.details)")
        #expect(result.summary == "2 paging alerts reach oncall in alertmanager.yml")
        #expect(
            result.details.contains(
                "rules.yml:4:9: alert CheckoutDown reaches oncall (route at alertmanager.yml:8:7), checkout (route at alertmanager.yml:20:7)"
            ), "\(result.details)")
    }

    @Test("a wrong route fails and names the receiver the alert reaches instead")
    func wrongRoute() throws {
        let result = try Self.check(paging: ["DatabaseDown", "CheckoutDown"], receiver: "oncall")
        #expect(result.status == .fail)
        // severity Critical is not matched by severity=~"page|critical": the alert goes to the database team.
        #expect(
            result.details.contains(
                #"rules.yml:16:9: alert DatabaseDown reaches db-storage (route at alertmanager.yml:18:11), not oncall; its labels: {alertname="DatabaseDown", service="postgres", severity="Critical", team="db"}"#
            ), "\(result.details)")
        #expect(
            result.summary.hasPrefix(
                "1 problem routing 2 paging alerts through alertmanager.yml; first: rules.yml:16:9"))
    }

    @Test("a receiver the configuration lacks, an unknown paging name and no paging alert at all fail")
    func missing() throws {
        let unknown = try Self.check(paging: [], receiver: "on-call")
        #expect(unknown.status == .fail)
        #expect(unknown.details.first?.hasPrefix("the receiver on-call is not defined in alertmanager.yml") == true)
        #expect(unknown.details.first?.hasSuffix("did you mean oncall?") == true)
        let named = try Self.check(paging: ["CheckoutDwn"], receiver: "oncall")
        #expect(
            named.details == ["alerts.paging names CheckoutDwn, but no alerting rule in the rule files has that name"])
        let none = try Self.check(
            paging: [], receiver: "oncall",
            rules: AlertFixtures.ruleFile("      - { alert: A, expr: up, labels: { severity: ticket } }\n"))
        #expect(none.status == .fail)
        #expect(none.summary.contains("no alert pages: no alerting rule has severity page or critical"))
    }

    @Test("routing on a templated label is a warning: the value is only known when the alert fires")
    func templatedLabel() throws {
        let result = try Self.check(paging: ["ShardDown"], receiver: "oncall")
        #expect(result.status == .warn, "\(result.details)")
        #expect(result.details.contains { $0.hasPrefix("rules.yml:26:9: alert ShardDown: the routes look at shard") })
    }

    @Test("run reads the files the spec names; without alertmanager.config it is skipped")
    func run() async throws {
        try withTemporaryFolder { folder in
            try folder.write(Self.rules, to: "rules.yml")
            try folder.write(AlertFixtures.routing, to: "alertmanager.yml")
            let alerts = try AlertFixtures.alerts(
                """
                rules: [rules.yml]
                paging: [CheckoutDown]
                alertmanager: { url: "http://127.0.0.1:9093", receiver: oncall, config: alertmanager.yml }
                """, in: folder)
            let result = AlertRoutesCheck.run(alerts: alerts, directory: folder.path)
            #expect(result.status == .pass, "\(result.details)")
            let bare = try AlertFixtures.alerts(
                "rules: [rules.yml]\nalertmanager: { url: \"http://127.0.0.1:9093\", receiver: oncall }", in: folder)
            #expect(AlertRoutesCheck.run(alerts: bare, directory: folder.path).status == .skipped)
            try folder.write("groups: [{ name: a, rules: [{ alert: X }] }]\n", to: "broken.yml")
            let more = try AlertFixtures.alerts(
                """
                rules: [rules.yml, broken.yml]
                alertmanager: { url: "http://127.0.0.1:9093", receiver: oncall, config: alertmanager.yml }
                """, in: folder)
            let partly = AlertRoutesCheck.run(alerts: more, directory: folder.path)
            #expect(partly.status == .fail)
            #expect(
                partly.summary.hasPrefix(
                    "broken.yml cannot be read (see the alert rules check), so the routes of its alerts are unknown; "))
            try folder.write("route: {}\n", to: "alertmanager.yml")
            let broken = AlertRoutesCheck.run(alerts: alerts, directory: folder.path)
            #expect(broken.status == .fail)
            #expect(broken.details.contains { $0.hasPrefix("alertmanager.yml:1:1: no 'receivers:' list") })
        }
    }
}
