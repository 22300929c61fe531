import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightObserve

@Suite("Prometheus rule files")
struct RuleFilesTests {
    static let file = """
        groups:
          - name: checkout
            interval: 30s
            rules:
              - record: job:http_errors:rate5m
                expr: sum by (job) (rate(http_requests_total{status=~"5.."}[5m]))
              - alert: CheckoutDown
                expr: up{job="checkout"} == 0
                for: 1m
                keep_firing_for: 5m
                labels:
                  severity: page
                  team: "{{ $labels.team }}"
                annotations:
                  summary: Checkout is down
                  runbook_url: https://runbooks.example.com/checkout-down
          - name: latency
            rules:
              - { alert: CheckoutSlow, expr: "histogram_quantile(0.99, x) > 1", labels: { severity: ticket } }

        """

    @Test("every rule is read with its group, fields and file:line:col")
    func reads() throws {
        let rules = try RuleFiles.parse(Data(Self.file.utf8), file: "rules.yml")
        #expect(rules.map(\.title) == ["record job:http_errors:rate5m", "alert CheckoutDown", "alert CheckoutSlow"])
        #expect(rules.map(\.location.description) == ["rules.yml:5:9", "rules.yml:7:9", "rules.yml:19:9"])
        let down = rules[1]
        #expect(down.group == "checkout")
        #expect(down.forDuration == "1m")
        #expect(down.keepFiringFor == "5m")
        #expect(down.labels == ["severity": "page", "team": "{{ $labels.team }}"])
        #expect(down.annotations["runbook_url"] == "https://runbooks.example.com/checkout-down")
        #expect(down.alertLabels == ["alertname": "CheckoutDown", "severity": "page", "team": "{{ $labels.team }}"])
        #expect(rules[2].group == "latency")
    }

    @Test("a rule's own alertname label does not replace the alert's name")
    func alertnameWins() throws {
        let text = AlertFixtures.ruleFile("      - { alert: A, expr: up == 0, labels: { alertname: B } }\n")
        let rules = try RuleFiles.parse(Data(text.utf8), file: "r.yml")
        #expect(rules[0].alertLabels["alertname"] == "A")
    }

    @Test(
        "what is not a rule file is refused at file:line:col",
        arguments: [
            ("groups:\n  - name: a\n    rules:\n\t- alert: X\n", "r.yml:4:1: not YAML: a tab character here"),
            ("groups: [\n", "r.yml:2:1: not YAML:"),
            ("route:\n  receiver: default\nreceivers: []\n", "r.yml:1:1: this is not a rule file: no 'groups:' key"),
            ("- alert: X\n", "r.yml:1:1: this is not a rule file: it holds a list"),
            ("\n\n", "r.yml:1:1: the file is empty"),
            (
                "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        expr: down\n",
                "r.yml:6:9: duplicate key 'expr' (first given at line 5)"
            ),
            ("groups:\n  - rules: []\n", "r.yml:2:5: a group needs a name"),
            ("groups:\n  - name: a\n", "r.yml:2:5: the group 'a' has no 'rules:' list"),
            (
                "groups:\n  - { name: a, rules: [] }\n  - { name: a, rules: [] }\n",
                "r.yml:3:5: the group name 'a' is already used at line 2"
            ),
            ("groups:\n  - name: a\n    rules:\n      - expr: up\n", "r.yml:4:9: a rule needs 'alert:'"),
            (
                "groups:\n  - name: a\n    rules:\n      - { alert: X, record: y, expr: up }\n",
                "r.yml:4:9: a rule has either 'alert:' or 'record:', not both"
            ),
            ("groups:\n  - name: a\n    rules:\n      - alert: X\n", "r.yml:4:9: alert X has no 'expr:'"),
            (
                "groups:\n  - name: a\n    rules:\n      - { alert: X, expr: up, for: 5 minutes }\n",
                "r.yml:4:36: for: '5 minutes' is not a Prometheus duration"
            ),
            (
                "groups:\n  - name: a\n    rules:\n      - { alert: X, expr: up, lables: { a: b } }\n",
                "r.yml:4:31: a rule has no field 'lables'; did you mean 'labels'?"
            ),
            (
                "groups:\n  - name: a\n    rules:\n      - { record: x, expr: up, for: 1m }\n",
                "r.yml:4:32: a recording rule has no 'for:'"
            ),
            (
                "groups:\n  - name: a\n    rules:\n      - { alert: X, expr: up, labels: { 1bad: x } }\n",
                "r.yml:4:41: '1bad' is not a valid name in labels"
            ),
            (
                "groups:\n  - name: a\n    rules:\n      - { alert: X, expr: up, labels: [severity] }\n",
                "r.yml:4:39: labels must be a mapping, not a list"
            ),
        ])
    func refuses(text: String, expected: String) {
        #expect {
            try RuleFiles.parse(Data(text.utf8), file: "r.yml")
        } throws: { error in
            let shown = "\(error)"
            return shown.contains(expected)
        }
    }

    @Test("bytes that are not UTF-8 are refused")
    func binary() {
        #expect(throws: AlertFileError.self) { try RuleFiles.parse(Data([0x67, 0xFF, 0xFE, 0x00]), file: "r.yml") }
    }

    @Test("every problem of a file is reported at once")
    func allProblems() {
        let text = AlertFixtures.ruleFile(
            "      - alert: X\n      - { record: y, expr: up, annotations: { a: b } }\n")
        do {
            _ = try RuleFiles.parse(Data(text.utf8), file: "r.yml")
            Issue.record("parsed")
        } catch {
            #expect(error.diagnostics.count == 2)
        }
    }

    @Test("relative paths are inside the spec's folder; a missing file is named with where it was looked for")
    func paths() throws {
        try withTemporaryFolder { folder in
            try FileManager.default.createDirectory(at: folder.appending("mon"), withIntermediateDirectories: true)
            try folder.write(Self.file, to: "mon/rules.yml")
            let rules = try RuleFiles.load(paths: ["mon/rules.yml"], directory: folder.path)
            #expect(rules.first?.location.file == "mon/rules.yml")
            #expect {
                try RuleFiles.load(paths: ["mon/rules.yml", "gone.yml"], directory: folder.path)
            } throws: { error in
                "\(error)".contains("gone.yml:1:1: the rule file does not exist (looked for \(folder.path)/gone.yml)")
            }
        }
    }

    @Test(
        "Prometheus durations",
        arguments: [
            ("5m", true), ("1h30m", true), ("0", true), ("90s", true),
            ("1d12h", true), ("100ms", true), ("5", false), ("m", false), ("30m1h", false), ("1.5h", false),
            ("", false),
        ])
    func durations(text: String, valid: Bool) {
        #expect(RuleFiles.isDuration(text) == valid)
    }
}
