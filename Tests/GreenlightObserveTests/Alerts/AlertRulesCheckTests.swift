import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightObserve

@Suite("The alert rules check")
struct AlertRulesCheckTests {
    /// A runbook server: /runbooks/* answers 200, /moved redirects there, anything else 404.
    static func runbookServer() async throws -> LoopbackHTTPServer {
        try await LoopbackHTTPServer { head in
            let path = head.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            if path.hasPrefix("/runbooks/") { return .init(body: "# what to do") }
            if path == "/moved" { return .init(status: 301, reason: "Moved", headers: [("Location", "/runbooks/x")]) }
            return .init(status: 404, reason: "Not Found", body: "no such page")
        }
    }

    static func rule(_ name: String, labels: String = "severity: page", annotations: String) -> String {
        """
              - alert: \(name)
                expr: up == 0
                labels: { \(labels) }
                annotations: { \(annotations) }

        """
    }

    /// Runs the check on one rule file, without promtool.
    static func check(_ rules: String, in folder: TemporaryFolder, extra: String = "") async throws -> CheckResult {
        try folder.write(AlertFixtures.ruleFile(rules), to: "rules.yml")
        let alerts = try AlertFixtures.alerts("rules: [rules.yml]\n" + extra, in: folder)
        return await AlertRulesCheck(alerts: alerts, directory: folder.path, promtool: nil).run()
    }

    @Test("a rule with severity, summary and a runbook that answers passes (the promtool part aside)")
    func allPresent() async throws {
        let server = try await Self.runbookServer()
        try await withTemporaryFolder { folder in
            try folder.write("# checkout is down", to: "down.md")
            let result = try await Self.check(
                Self.rule("CheckoutDown", annotations: "summary: down, runbook_url: \"\(server.url)runbooks/down\"")
                    + Self.rule("CheckoutSlow", annotations: "description: slow, runbook_url: down.md#slow")
                    + Self.rule("CheckoutMoved", annotations: "summary: moved, runbook_url: \"\(server.url)moved\""),
                in: folder)
            #expect(result.id == ObservabilityCheck.alertRules)
            #expect(result.category == .observability)
            // Without promtool the check cannot pass: it says what was skipped.
            #expect(result.status == .warn)
            #expect(result.summary.hasPrefix("3 alert rules in 1 rule file have severity, summary and runbook"))
            #expect(result.summary.contains("promtool check rules skipped: promtool is not on PATH"))
            #expect(!result.details.contains { $0.contains("alert Checkout") })
            #expect(result.evidence.first?.reference == "rules.yml")
            #expect(result.evidence.first?.sha256 != nil)
        }
        #expect(server.requestCount == 3)
        await server.shutdown()
    }

    @Test(
        "each missing piece fails and names the rule at file:line:col",
        arguments: [
            ("severity: page", "summary: s", "rules.yml:4:9: alert CheckoutDown has no runbook_url annotation"),
            ("team: web", "summary: s, runbook_url: rb.md", "rules.yml:4:9: alert CheckoutDown has no severity label"),
            (
                "severity: page", "runbook_url: rb.md",
                "rules.yml:4:9: alert CheckoutDown has no summary annotation (nor a description)"
            ),
            (
                "severity: page", "summary: s, runbook_url: missing.md",
                "rules.yml:4:9: alert CheckoutDown: runbook file missing.md does not exist"
            ),
            (
                "severity: page", "summary: s, runbook_url: \"ftp://example.com/rb\"",
                "rules.yml:4:9: alert CheckoutDown: runbook_url ftp://example.com/rb is a ftp URL"
            ),
        ])
    func missingPiece(labels: String, annotations: String, expected: String) async throws {
        try await withTemporaryFolder { folder in
            try folder.write("# runbook", to: "rb.md")
            let result = try await Self.check(
                Self.rule("CheckoutDown", labels: labels, annotations: annotations), in: folder)
            #expect(result.status == .fail)
            #expect(result.details.contains { $0.hasPrefix(expected) }, "\(result.details)")
            #expect(result.summary.contains("1 problem in 1 alert rule"))
        }
    }

    @Test("a runbook URL that answers 404 fails, naming the URL and the rule")
    func runbook404() async throws {
        let server = try await Self.runbookServer()
        try await withTemporaryFolder { folder in
            let result = try await Self.check(
                Self.rule("CheckoutDown", annotations: "summary: s, runbook_url: \"\(server.url)wiki/gone\"")
                    + Self.rule("CheckoutSlow", annotations: "summary: s, runbook_url: \"\(server.url)wiki/gone\""),
                in: folder)
            #expect(result.status == .fail)
            #expect(
                result.details.contains(
                    "rules.yml:4:9: alert CheckoutDown: runbook \(server.url)wiki/gone answered 404; a runbook must answer 2xx"
                ), "\(result.details)")
            #expect(result.details.contains { $0.hasPrefix("rules.yml:8:9: alert CheckoutSlow: runbook") })
        }
        // One URL, fetched once for both rules.
        #expect(server.requestCount == 1)
        await server.shutdown()
    }

    @Test("a runbook on a server that is not there fails with the reason")
    func runbookRefused() async throws {
        // A socket bound and not listening: connecting is refused, and no other test can take the port.
        let (socket, port) = Loopback.boundSocket()
        defer { close(socket) }
        try await withTemporaryFolder { folder in
            let result = try await Self.check(
                Self.rule("CheckoutDown", annotations: "summary: s, runbook_url: \"http://127.0.0.1:\(port)/rb\""),
                in: folder)
            #expect(result.status == .fail)
            #expect(
                result.details.contains { $0.contains("could not be fetched: connection refused") }, "\(result.details)"
            )
        }
    }

    @Test("a templated runbook_url is not fetched: a warning when its fixed part is a URL, a failure when not")
    func templated() async throws {
        try await withTemporaryFolder { folder in
            let warned = try await Self.check(
                Self.rule(
                    "CheckoutDown",
                    annotations: "summary: s, runbook_url: \"https://runbooks.example.com/{{ $labels.service }}\""),
                in: folder)
            #expect(warned.status == .warn)
            #expect(warned.summary.contains("1 runbook could not be checked"))
            #expect(
                warned.details.contains {
                    $0.hasPrefix(
                        "rules.yml:4:9: alert CheckoutDown: runbook_url https://runbooks.example.com/{{ $labels.service }} is a template"
                    )
                        && $0.contains("its fixed part https://runbooks.example.com/ is a URL")
                })
            let failed = try await Self.check(
                Self.rule("CheckoutDown", annotations: "summary: s, runbook_url: \"https://{{ $labels.host }}/rb\""),
                in: folder)
            #expect(failed.status == .fail)
            #expect(failed.details.contains { $0.contains("whose fixed part https:// is not an http or https URL") })
        }
    }

    @Test("recording rules need no severity or runbook; a file of only recording rules fails: nothing can fire")
    func recordingOnly() async throws {
        try await withTemporaryFolder { folder in
            let result = try await Self.check("      - { record: job:up:sum, expr: sum(up) }\n", in: folder)
            #expect(result.status == .fail)
            #expect(result.details.first == "no alerting rule in rules.yml: no alert can fire")
        }
    }

    @Test("a broken rule file fails with its problems at file:line:col; no rule files fails")
    func brokenFile() async throws {
        try await withTemporaryFolder { folder in
            try folder.write("groups:\n  - name: a\n    rules:\n      - alert: X\n", to: "rules.yml")
            let alerts = try AlertFixtures.alerts("rules: [rules.yml, other.yml]", in: folder)
            let result = await AlertRulesCheck(alerts: alerts, directory: folder.path, promtool: nil).run()
            #expect(result.status == .fail)
            #expect(result.details.contains("rules.yml:4:9: alert X has no 'expr:' (the PromQL expression)"))
            #expect(result.details.contains { $0.hasPrefix("other.yml:1:1: the rule file does not exist") })
            let none = try AlertFixtures.alerts("runbook: x", in: folder)
            let empty = await AlertRulesCheck(alerts: none, directory: folder.path, promtool: nil).run()
            #expect(empty.status == .fail)
            #expect(empty.summary.contains("alerts.rules names no rule file"))
        }
    }
}
