import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCore

/// A malformed spec and every diagnostic it must produce, exactly.
struct Malformed: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: Data
    var expected: [String]
    var env: [String: String] = [:]

    init(_ name: String, _ text: String, _ expected: [String], env: [String: String] = [:]) {
        self.name = name
        self.bytes = Data(text.utf8)
        self.expected = expected
        self.env = env
    }

    init(_ name: String, bytes: [UInt8], _ expected: [String]) {
        self.name = name
        self.bytes = Data(bytes)
        self.expected = expected
    }

    var testDescription: String { name }
}

/// `SpecFixtures.minimal` with `extra` appended (top-level sections).
private func spec(_ extra: String) -> String { SpecFixtures.minimal + extra }

// Line numbers: SpecFixtures.minimal is 8 lines, so an appended section starts on line 9.
let malformedSpecs: [Malformed] = [
    Malformed(
        "empty file", "",
        [
            "t.yaml:1:1: the file is empty: a release spec starts with 'version: 1' and a 'service:' section (greenlight init writes one)"
        ]),
    Malformed(
        "only whitespace", "\n   \n\n",
        [
            "t.yaml:1:1: the file is empty: a release spec starts with 'version: 1' and a 'service:' section (greenlight init writes one)"
        ]),
    Malformed(
        "only a comment", "# nothing here\n",
        [
            "t.yaml:1:1: the file holds no YAML document: a release spec starts with 'version: 1' and a 'service:' section (greenlight init writes one)"
        ]),
    Malformed(
        "tab indentation", "version: 1\nservice:\n\tname: checkout\n",
        [
            "t.yaml:3:1: YAML syntax error: a tab character here; YAML indents with spaces only"
        ]),
    Malformed(
        "unclosed flow mapping", "version: 1\nservice: { name: checkout\nrisk: {}\n",
        [
            "t.yaml:3:5: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 2, column 10)"
        ]),
    Malformed(
        "unclosed quote", "version: 1\nservice:\n  name: \"checkout\n",
        [
            "t.yaml:4:1: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar at line 3, column 9)"
        ]),
    Malformed(
        "bad indentation", "version: 1\nservice:\n  name: checkout\n   owner: x\n",
        [
            "t.yaml:4:9: YAML syntax error: mapping values are not allowed in this context"
        ]),
    Malformed(
        "two documents", "version: 1\n---\nversion: 1\n",
        [
            "t.yaml:2:1: YAML syntax error: but found another document (expected a single document in the stream at line 1, column 1)"
        ]),
    Malformed(
        "non-UTF-8 byte", bytes: Array("version: 1\nservice:\n  name: caf".utf8) + [0xE9] + Array("\n".utf8),
        [
            "t.yaml:3:12: the file is not valid UTF-8 (an invalid byte here); save it as UTF-8"
        ]),
    Malformed(
        "NUL byte", bytes: Array("version: 1\n".utf8) + [0x00],
        [
            "t.yaml:2:1: the file contains a NUL character; is it a binary file?"
        ]),
    Malformed(
        "root is a list", "- version\n- 1\n",
        [
            "t.yaml:1:1: expected a mapping of fields, got a list"
        ]),
    Malformed(
        "root is text", "hello\n",
        [
            "t.yaml:1:1: expected a mapping of fields, got 'hello'"
        ]),
    Malformed(
        "missing version",
        "service:\n  name: checkout\n  version: 1.0.0\n  owner: team\nrisk: { likelihood: 1, impact: 1 }\n",
        [
            "t.yaml:1:1: version: is required but missing (the spec format version, 1)"
        ]),
    Malformed(
        "missing service and risk", "version: 1\n",
        [
            "t.yaml:1:1: risk: is required but missing (likelihood and impact of a failure; decides how cautious the rollout must be)",
            "t.yaml:1:1: service: is required but missing (the service being released)",
        ]),
    Malformed(
        "future format version", SpecFixtures.minimal.replacingOccurrences(of: "version: 1\n", with: "version: 2\n"),
        [
            "t.yaml:1:10: version: must be at most 1 (this greenlight reads spec format version 1), got 2"
        ]),
    Malformed(
        "quoted number", SpecFixtures.minimal.replacingOccurrences(of: "version: 1\n", with: "version: \"1\"\n"),
        [
            "t.yaml:1:10: version: expected a whole number, got the text '1'; remove the quotes"
        ]),
    Malformed(
        "unknown top-level key", spec("rollbak:\n  automated: true\n"),
        [
            "t.yaml:9:1: rollbak: unknown field; did you mean 'rollback'? (a release spec takes: version, service, environments, parity, traffic, checklist, smoke, load, dependencies, observability, risk, rollout, rollback, signoff)"
        ]),
    Malformed(
        "misspelt nested key",
        "version: 1\nservice:\n  name: checkout\n  version: 1.0.0\n  onwer: team\nrisk: { likelihood: 1, impact: 1 }\n",
        [
            "t.yaml:3:3: service.owner: is required but missing (the team that owns the service, such as payments-team)",
            "t.yaml:5:3: service.onwer: unknown field; did you mean 'owner'? (service takes: name, version, owner, author, ticket)",
        ]),
    Malformed(
        "section of the wrong type", "version: 1\nservice: checkout\nrisk: { likelihood: 1, impact: 1 }\n",
        [
            "t.yaml:2:10: service: expected a mapping of fields, got 'checkout'"
        ]),
    Malformed(
        "list where text is expected",
        SpecFixtures.minimal.replacingOccurrences(of: "owner: payments-team", with: "owner: [a, b]"),
        [
            "t.yaml:5:10: service.owner: expected text, got a list"
        ]),
    Malformed(
        "likelihood too high", SpecFixtures.minimal.replacingOccurrences(of: "likelihood: 2", with: "likelihood: 7"),
        [
            "t.yaml:7:15: risk.likelihood: must be at most 5, got 7"
        ]),
    Malformed(
        "likelihood zero", SpecFixtures.minimal.replacingOccurrences(of: "likelihood: 2", with: "likelihood: 0"),
        [
            "t.yaml:7:15: risk.likelihood: must be at least 1, got 0"
        ]),
    Malformed(
        "fractional likelihood",
        SpecFixtures.minimal.replacingOccurrences(of: "likelihood: 2", with: "likelihood: 2.5"),
        [
            "t.yaml:7:15: risk.likelihood: must be a whole number, got '2.5'"
        ]),
    Malformed(
        "impact as a word", SpecFixtures.minimal.replacingOccurrences(of: "impact: 2", with: "impact: high"),
        [
            "t.yaml:8:11: risk.impact: expected a whole number, got 'high'"
        ]),
    Malformed(
        "no impact and nothing to derive it from",
        SpecFixtures.minimal.replacingOccurrences(of: "  impact: 2\n", with: ""),
        [
            "t.yaml:7:3: risk.impact: give impact (1-5), or the facts to derive it from: blast_radius, recovery_minutes, users_affected_percent, revenue_per_minute"
        ]),
    Malformed(
        "unknown blast radius",
        SpecFixtures.minimal.replacingOccurrences(of: "impact: 2", with: "blast_radius: produkt"),
        [
            "t.yaml:8:17: risk.blast_radius: must be one of component, feature, service, product, platform; got 'produkt' (did you mean 'product'?)"
        ]),
    Malformed(
        "duplicate key", spec("service:\n  name: again\n"),
        [
            "t.yaml:9:1: duplicate key 'service' (first given at line 2); each key may appear once"
        ]),
    Malformed(
        "duplicate scenario names",
        spec(
            """
            smoke:
              scenarios:
                - name: buy
                  steps: [{ request: { path: / } }]
                - name: buy
                  steps: [{ request: { path: /x } }]

            """),
        [
            "t.yaml:13:13: smoke.scenarios[1].name: duplicate name 'buy' (first at line 11); each must be unique"
        ]),
    Malformed(
        "duplicate custom item ids",
        spec(
            """
            checklist:
              custom:
                - { id: runbook, title: A, evidence: { file: a.md } }
                - { id: runbook, title: B, evidence: { file: b.md } }

            """),
        [
            "t.yaml:12:13: checklist.custom[1].id: duplicate id 'runbook' (first at line 11); each must be unique"
        ]),
    Malformed(
        "custom item reusing a built-in id",
        spec(
            """
            checklist:
              custom:
                - { id: load-testing, title: A, evidence: { file: a.md } }

            """),
        [
            "t.yaml:11:13: checklist.custom[0].id: 'load-testing' is a non-negotiable item that greenlight always checks; give your item another id"
        ]),
    Malformed(
        "waiver of a misspelt item",
        spec(
            """
            checklist:
              waivers:
                - { item: enviroment-parity, reason: r, approver: sre@example.com, expires: 2030-01-01 }

            """),
        [
            "t.yaml:11:15: checklist.waivers[0].item: no checklist item has the id 'enviroment-parity'; did you mean 'environment-parity'? (items: environment-parity, load-testing, monitoring-hooks, rollback-plan)"
        ]),
    Malformed(
        "waiver without approver",
        spec(
            """
            checklist:
              waivers:
                - { item: load-testing, reason: r, expires: 2030-01-01 }

            """),
        [
            "t.yaml:11:7: checklist.waivers[0].approver: is required but missing (who approved the waiver, such as sre-lead@example.com)"
        ]),
    Malformed(
        "impossible waiver date",
        spec(
            """
            checklist:
              waivers:
                - { item: load-testing, reason: r, approver: a@example.com, expires: 2026-02-30 }

            """),
        [
            "t.yaml:11:74: checklist.waivers[0].expires: must be a calendar date written YYYY-MM-DD, such as 2026-12-15, got '2026-02-30'"
        ]),
    Malformed(
        "load below 3x",
        spec(
            """
            traffic: { expected_peak_rps: 400 }
            load:
              multiplier: 2
              duration: 10m

            """),
        [
            "t.yaml:11:15: load.multiplier: must be at least 3 (test at 3x expected peak or more), got 2"
        ]),
    Malformed(
        "duration without unit",
        spec(
            """
            traffic: { expected_peak_rps: 400 }
            load:
              duration: 10

            """),
        [
            "t.yaml:11:13: load.duration: must be a duration with a unit, such as 500ms, 30s, 10m or 1h30m, and at most 3650d, got '10'"
        ]),
    Malformed(
        "load without expected peak", spec("load:\n  duration: 10m\n"),
        [
            "t.yaml:10:3: load: a load test needs traffic.expected_peak_rps, the peak it multiplies"
        ]),
    Malformed(
        "threshold without unit",
        spec(
            """
            traffic: { expected_peak_rps: 400 }
            load:
              duration: 10m
              thresholds: ["p99 < 300", "latncy < 3ms", "error_rate < 5"]

            """),
        [
            "t.yaml:12:16: load.thresholds[0]: p99 is a latency: give a unit, ms, s or us, as in 'p99 < 300ms', got 'p99 < 300'",
            "t.yaml:12:29: load.thresholds[1]: unknown metric 'latncy' (metrics: p50 … p99.9, max, avg, error_rate, rps, dropped, target.cpu, target.rss, …), got 'latncy < 3ms'",
            "t.yaml:12:45: load.thresholds[2]: error_rate is a share of requests: write it as a percentage ('< 0.1%') or a fraction ('< 0.001'), got 'error_rate < 5'",
        ]),
    Malformed(
        "load mix naming no scenario",
        spec(
            """
            traffic: { expected_peak_rps: 400 }
            load:
              duration: 10m
              mix: [{ weight: 1, scenario: brwse }]
            smoke:
              scenarios: [{ name: browse, steps: [{ request: { path: / } }] }]

            """),
        [
            "t.yaml:12:32: load.mix[0].scenario: no smoke scenario is named 'brwse'; did you mean 'browse'? (scenarios: browse)"
        ]),
    Malformed(
        "canary steps going down", spec("rollout:\n  steps: [5, 1, 100]\n"),
        [
            "t.yaml:10:14: rollout.steps[1]: steps must rise: 1% comes after 5%"
        ]),
    Malformed(
        "router proxy without its upstreams, with a bad listen address",
        spec("rollout:\n  steps: [1, 100]\n  proxy: { listen: everywhere, baseline: http://10.0.0.5:8080 }\n"),
        [
            "t.yaml:11:10: rollout.proxy.canary: is required but missing (the canary upstream, such as http://10.0.0.6:8080)",
            "t.yaml:11:20: rollout.proxy.listen: must be host:port with a port from 1 to 65535, got 'everywhere'",
        ]),
    Malformed(
        "canary step of zero", spec("rollout:\n  steps: [0, 100]\n"),
        [
            "t.yaml:10:11: rollout.steps[0]: must be greater than 0, got 0"
        ]),
    Malformed(
        "parity of an unknown environment",
        spec(
            """
            environments:
              staging: { url: "http://127.0.0.1:8080" }
              production: { url: "https://example.com" }
            parity:
              compare: [staging, prod]

            """),
        [
            "t.yaml:13:22: parity.compare[1]: no environment is named 'prod'; did you mean 'production'? (environments: staging, production)"
        ]),
    Malformed(
        "environment URL without scheme", spec("environments:\n  staging: { url: example.com }\n"),
        [
            "t.yaml:10:19: environments.staging.url: must be an http:// or https:// URL with a host, got 'example.com'"
        ]),
    Malformed(
        "a number no code can hold", spec("traffic: { expected_peak_rps: 1e300 }\n"),
        [
            "t.yaml:9:31: traffic.expected_peak_rps: must be between -1000000000000 and 1000000000000 (the largest number greenlight takes), got 1e+300"
        ]),
    Malformed(
        "environment URL with a port above 65535",
        spec("environments:\n  staging: { url: \"http://127.0.0.1:99999/\" }\n"),
        [
            "t.yaml:10:19: environments.staging.url: has port 99999; a port is from 1 to 65535, got 'http://127.0.0.1:99999/'"
        ]),
    Malformed(
        "dependency URL with port 0",
        spec("dependencies:\n  - { name: db, kind: postgres, url: \"postgres://x@127.0.0.1:0/db\" }\n"),
        [
            "t.yaml:10:38: dependencies[0].url: has port 0; a port is from 1 to 65535, got 'postgres://x@127.0.0.1:0/db'"
        ]),
    Malformed(
        "misspelt dependency kind",
        spec("dependencies:\n  - { name: db, kind: postgress, url: \"postgres://x@127.0.0.1/db\" }\n"),
        [
            "t.yaml:10:23: dependencies[0].kind: must be one of dns, tcp, tls, http, postgres, redis; got 'postgress' (did you mean 'postgres'?)"
        ]),
    Malformed(
        "http dependency without url", spec("dependencies:\n  - { name: api, kind: http }\n"),
        [
            "t.yaml:10:5: dependencies[0].url: a http dependency needs url"
        ]),
    Malformed(
        "duplicate dependency names",
        spec(
            "dependencies:\n  - { name: db, kind: tcp, address: \"127.0.0.1:5432\" }\n  - { name: db, kind: tcp, address: \"127.0.0.1:5433\" }\n"
        ),
        [
            "t.yaml:11:13: dependencies[1].name: duplicate name 'db' (first at line 10); each must be unique"
        ]),
    Malformed(
        "two kinds of evidence",
        spec(
            """
            checklist:
              custom:
                - { id: a, title: A, evidence: { file: a.md, command: "true" } }

            """),
        [
            "t.yaml:11:36: checklist.custom[0].evidence: takes only one of file, url, command; got file and command"
        ]),
    Malformed(
        "no evidence at all",
        spec(
            """
            checklist:
              custom:
                - { id: a, title: A, evidence: {} }

            """),
        [
            "t.yaml:11:36: checklist.custom[0].evidence: needs one of file, url, command"
        ]),
    Malformed(
        "two request bodies",
        spec(
            """
            smoke:
              scenarios:
                - name: post
                  steps: [{ request: { method: POST, path: /x, json: { a: 1 }, body: "raw" } }]

            """),
        [
            "t.yaml:12:26: smoke.scenarios[0].steps[0].request: takes at most one of json, form, multipart, body; got json and body"
        ]),
    Malformed(
        "dependency field of another kind",
        spec("dependencies:\n  - { name: dns, kind: dns, host: example.com, url: \"http://example.com\" }\n"),
        [
            "t.yaml:10:48: dependencies[0].url: does not apply to a dns dependency (its fields: name, kind, timeout, host, expect_addresses)"
        ]),
    Malformed(
        "analysis pass below the default marginal",
        spec("rollout:\n  steps: [1, 100]\n  analysis: { metrics: [{ name: error_rate }], pass: 70 }\n"),
        [
            "t.yaml:11:54: rollout.analysis.marginal: must be below pass (70), got 75 (the default)"
        ]),
    Malformed(
        "YAML 1.1 boolean", spec("rollback:\n  automated: yes\n"),
        [
            "t.yaml:10:14: rollback.automated: expected true or false, got 'yes' (YAML 1.1's yes/no/on/off are ambiguous; write true or false)"
        ]),
    Malformed(
        "health slower than the SLA", spec("observability:\n  health: { path: /healthz, within: 60s }\n"),
        [
            "t.yaml:10:37: observability.health.within: must be at most 30s (the readiness SLA: health known within 30s), got 1m"
        ]),
    Malformed(
        "unset environment variable",
        SpecFixtures.minimal.replacingOccurrences(of: "owner: payments-team", with: "owner: ${TEAM_OWNER}"),
        [
            "t.yaml:5:10: environment variable TEAM_OWNER is not set: export it, or give a default with ${TEAM_OWNER:-default}"
        ]),
    Malformed(
        "unterminated variable",
        SpecFixtures.minimal.replacingOccurrences(of: "owner: payments-team", with: "owner: ${TEAM"),
        [
            "t.yaml:5:10: unterminated '${': close it with '}' (write '$${' for a literal '${')"
        ]),
    Malformed(
        "merge key", spec("rollout:\n  <<: { steps: [1] }\n  steps: [1, 100]\n"),
        [
            "t.yaml:10:3: merge keys ('<<') are not supported in a spec; write the fields out"
        ]),
    Malformed(
        "alias bomb",
        "version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
        [
            "t.yaml:2:29: the document expands to more than 200000 values (aliases?); a spec never needs that"
        ]),
    Malformed(
        "runaway nesting", "version: 1\nservice: " + String(repeating: "[", count: 200) + "\n",
        [
            "t.yaml:2:138: nesting is deeper than 128 levels; a spec never needs that"
        ]),
    Malformed(
        "runaway nesting in block style, past libyaml's own limit",
        "version: 1\nx:\n" + (1...1_200).map { String(repeating: " ", count: $0) + "k:\n" }.joined(),
        [
            "t.yaml:1001:1000: nesting is deeper than 128 levels; a spec never needs that"
        ]),
    Malformed(
        "runaway nesting of block sequences",
        "version: 1\nx:\n" + (1...300).map { String(repeating: " ", count: $0) + "-\n" }.joined(),
        [
            "t.yaml:131:130: nesting is deeper than 128 levels; a spec never needs that"
        ]),
    Malformed(
        "a service name that is not ASCII", spec("").replacingOccurrences(of: "name: checkout", with: "name: cafés"),
        [
            "t.yaml:3:9: service.name: must start with an ASCII letter or digit and hold only ASCII letters (a-z, A-Z), digits, '.', '_' or '-', got 'cafés'"
        ]),
]

@Suite("Malformed specs")
struct MalformedSpecTests {
    @Test("each malformed spec is rejected with exact diagnostics", arguments: malformedSpecs)
    func rejected(_ c: Malformed) {
        let got = SpecFixtures.diagnostics(c.bytes, env: c.env)
        #expect(got == c.expected)
    }

    @Test("the table covers at least 30 cases")
    func enough() { #expect(malformedSpecs.count >= 30) }
}
