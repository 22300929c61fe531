import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightObserve

/// Against the real promtool (Debian package prometheus); scripts/test installs it. A machine without
/// it fails these tests, saying so, rather than skipping them.
@Suite("promtool in the alert rules check")
struct PromtoolTests {
    static let valid = AlertFixtures.ruleFile(
        """
              - alert: CheckoutDown
                expr: up{job="checkout"} == 0
                for: 1m
                labels: { severity: page }
                annotations: { summary: Checkout is down, runbook_url: down.md }

        """)

    static let invalid = AlertFixtures.ruleFile(
        """
              - alert: CheckoutDown
                expr: up{job="checkout" == 0
                labels: { severity: page }
                annotations: { summary: Checkout is down, runbook_url: down.md }

        """)

    static func test(expecting severity: String) -> String {
        """
        rule_files: [rules.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'up{job="checkout"}'
                values: '0x5'
            alert_rule_test:
              - eval_time: 3m
                alertname: CheckoutDown
                exp_alerts:
                  - exp_labels: { severity: \(severity), job: checkout }
                    exp_annotations: { summary: Checkout is down, runbook_url: down.md }

        """
    }

    static func promtool() throws -> Promtool {
        guard let promtool = Promtool.onPath() else {
            throw CommandFailure(
                "promtool is not on PATH: install it (apt-get install -y prometheus) to run these tests; scripts/test does"
            )
        }
        return promtool
    }

    static func check(rules: String, tests: [String: String], in folder: TemporaryFolder) async throws -> CheckResult {
        try folder.write(rules, to: "rules.yml")
        try folder.write("# down", to: "down.md")
        for (name, text) in tests { try folder.write(text, to: name) }
        let list = tests.keys.sorted().joined(separator: ", ")
        let alerts = try AlertFixtures.alerts(
            "rules: [rules.yml]" + (tests.isEmpty ? "" : "\nrule_tests: [\(list)]"), in: folder)
        return await AlertRulesCheck(alerts: alerts, directory: folder.path, promtool: try promtool()).run()
    }

    @Test("a valid rule file with a passing rule test passes")
    func passes() async throws {
        try await withTemporaryFolder { folder in
            let result = try await Self.check(
                rules: Self.valid, tests: ["rules_test.yml": Self.test(expecting: "page")], in: folder)
            #expect(result.status == .pass, "\(result.summary) \(result.details)")
            #expect(result.details.contains("promtool check rules rules.yml: passed"))
            #expect(result.details.contains("promtool test rules rules_test.yml: passed"))
            #expect(result.details.contains { $0.contains("SUCCESS: 1 rules found") })
        }
    }

    @Test("an invalid rule file fails with promtool's words")
    func invalidRules() async throws {
        try await withTemporaryFolder { folder in
            let result = try await Self.check(rules: Self.invalid, tests: [:], in: folder)
            #expect(result.status == .fail)
            #expect(result.details.contains("promtool check rules rules.yml: failed (exit 1)"), "\(result.details)")
            #expect(result.details.contains { $0.contains("could not parse expression") })
            #expect(result.summary.contains("1 problem"))
        }
    }

    @Test("a rule test that fails fails the check with promtool's output")
    func failingTest() async throws {
        try await withTemporaryFolder { folder in
            let result = try await Self.check(
                rules: Self.valid,
                tests: ["a_test.yml": Self.test(expecting: "page"), "b_test.yml": Self.test(expecting: "ticket")],
                in: folder)
            #expect(result.status == .fail)
            #expect(result.details.contains("promtool check rules rules.yml: passed"))
            #expect(
                result.details.contains("promtool test rules a_test.yml b_test.yml: failed (exit 1)"),
                "\(result.details)")
            #expect(result.details.contains { $0.contains("severity=\"ticket\"") })
        }
    }

    @Test("without promtool the check says both were skipped and why, and does not pass")
    func missing() async throws {
        try await withTemporaryFolder { folder in
            try folder.write(Self.valid, to: "rules.yml")
            try folder.write("# down", to: "down.md")
            let alerts = try AlertFixtures.alerts("rules: [rules.yml]\nrule_tests: [t.yml]", in: folder)
            let result = await AlertRulesCheck(alerts: alerts, directory: folder.path, promtool: nil).run()
            #expect(result.status == .warn)
            #expect(
                result.summary.contains(
                    "promtool check rules and promtool test rules skipped: promtool is not on PATH"))
        }
    }

    @Test("a promtool that does not finish in time is stopped and fails the check")
    func timeout() async throws {
        try await withTemporaryFolder { folder in
            let tool = folder.appending("slowtool").path
            try Self.writeExecutable("#!/bin/sh\nsleep 30\n", to: tool)
            try folder.write(Self.valid, to: "rules.yml")
            try folder.write("# down", to: "down.md")
            let alerts = try AlertFixtures.alerts("rules: [rules.yml]", in: folder)
            let slow = Promtool(executable: tool, timeout: .milliseconds(300))
            var result: CheckResult
            var started: ContinuousClock.Instant
            var attempts = 0
            repeat {
                // A child another test spawns at the moment the script is written may hold it open for
                // writing for a moment, and the kernel then refuses to run it (Text file busy).
                attempts += 1
                if attempts > 1 { try await Task.sleep(for: .milliseconds(100)) }
                started = ContinuousClock.now
                result = await AlertRulesCheck(alerts: alerts, directory: folder.path, promtool: slow).run()
            } while attempts < 20 && result.details.contains { $0.contains("Text file busy") }
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(result.status == .fail)
            #expect(
                result.details.contains {
                    $0.hasPrefix("promtool check rules rules.yml: failed (did not finish within 300 ms; stopped)")
                }, "\(result.details)")
        }
    }

    /// Writes an executable file through a descriptor closed on exec, so no child of another test keeps it.
    static func writeExecutable(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CommandFailure("cannot create \(path)") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw CommandFailure("cannot write \(path)") }
    }
}
