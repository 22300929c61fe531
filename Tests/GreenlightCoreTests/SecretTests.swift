import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCore

@Suite("Environment substitution and secrets")
struct SecretTests {
    @Test(
        "substitution forms",
        arguments: [
            ("${A}", ["A": "x"], "x", ["A"]),
            ("pre-${A}-post", ["A": "x"], "pre-x-post", ["A"]),
            ("${MISSING:-fallback}", [:], "fallback", []),
            ("${A:-fallback}", ["A": "set"], "set", ["A"]),
            ("${A:-}", [:], "", []),
            ("$${A}", ["A": "x"], "${A}", []),
            ("$.token and {{token}}", [:], "$.token and {{token}}", []),
        ] as [(String, [String: String], String, [String])])
    func forms(input: String, env: [String: String], output: String, used: [String]) {
        let result = EnvironmentSubstitution(environment: env).expand(input)
        #expect(result.problems.isEmpty)
        #expect(result.text == output)
        #expect(result.usedVariables == used)
    }

    @Test("a secret from the environment never appears in errors or the report")
    func secretNeverShown() throws {
        let secret = "hunter2-very-secret-value"
        let env = ["SMOKE_PASSWORD": secret, "PEAK": secret, "OWNER": secret]
        // Wrong type with a secret value: the message names the variable, not the value.
        let bad = SpecFixtures.minimal + "traffic: { expected_peak_rps: \"${PEAK}\" }\n"
        let diagnostics = SpecFixtures.diagnostics(bad, env: env)
        #expect(
            diagnostics == [
                "t.yaml:9:31: traffic.expected_peak_rps: expected a number, got a value from ${PEAK} (not shown)"
            ])

        // A valid spec using the secret in several places: the report masks it everywhere.
        let good =
            SpecFixtures.minimal.replacingOccurrences(of: "owner: payments-team", with: "owner: team-${OWNER}") + """
                smoke:
                  scenarios:
                    - name: sign in
                      steps:
                        - request: { method: POST, path: /login, json: { password: "${SMOKE_PASSWORD}" } }
                checklist:
                  custom:
                    - { id: token-check, title: "token ${SMOKE_PASSWORD} works", evidence: { command: "echo ${SMOKE_PASSWORD}" } }

                """
        let spec = try SpecFixtures.load(good, env: env)
        #expect(spec.service.owner == "team-" + secret)  // the runner gets the real value
        let evidence = CheckResult(
            id: "", title: "", category: .checklist, status: .fail, summary: "echo \(secret) exited 1",
            details: ["output: \(secret)"])
        let raw = Gate(spec: spec, policy: .standard, now: Date()).evaluate(customEvidence: ["token-check": evidence])
        #expect(String(decoding: raw.json(), as: UTF8.self).contains(secret))  // the gate itself does not mask
        let report = try spec.redactor.redacting(raw)
        let json = String(decoding: report.json(), as: UTF8.self)
        #expect(!json.contains(secret))
        #expect(json.contains("team-***"))
        #expect(json.contains("echo *** exited 1"))
    }

    @Test(
        "text from the environment is data: braces in it are never read as placeholders",
        arguments: ["{{token}}", "{{ a }}x}}", "}}{{", "{{\"{\"}}", "{", "a}b{c", "{{{{x}}}}"])
    func environmentBracesAreData(secret: String) throws {
        let spec = try SpecFixtures.load(
            SpecFixtures.minimal + """
                smoke:
                  scenarios:
                    - name: sign in
                      steps:
                        - request: { path: "/p/${S}", headers: { Authorization: "Bearer ${S}" }, json: { k: "${S}" } }
                          expect: { body_contains: "${S}" }

                """, env: ["S": secret])
        let step = try #require(spec.smoke?.scenarios.first?.steps.first)
        let header = try #require(step.request.headers.first?.value)
        #expect(Template.names(in: header).isEmpty)
        #expect(try Template.render(header, [:]) == "Bearer " + secret)
        #expect(try Template.render(step.request.path ?? "", [:]) == "/p/" + secret)
        #expect(try Template.render(step.expect?.bodyContains ?? "", [:]) == secret)
        guard case .object(let members)? = step.request.json, case .string(let k)? = members.first?.1 else {
            Issue.record("the json body is not an object of one string")
            return
        }
        #expect(try Template.render(k, [:]) == secret)
        // Everywhere else the value is the text itself.
        let owner = try SpecFixtures.load(
            SpecFixtures.minimal.replacingOccurrences(of: "owner: payments-team", with: "owner: t-${S}"),
            env: ["S": secret]
        ).service.owner
        #expect(owner == "t-" + secret)
    }

    @Test(
        "placeholders and literal braces",
        arguments: [
            ("{{a}}", "1"), ("{{ a }}", "1"), ("{{{a}}}", "{1}"), (#"{{"{{"}}a}}"#, "{{a}}"),
            (#"{{"{"}}{{"}"}}"#, "{}"), ("{{not a name}}", "{{not a name}}"), ("{{a", "{{a"), ("}}{{a}}", "}}1"),
        ])
    func templates(text: String, rendered: String) throws {
        #expect(try Template.render(text, ["a": "1"]) == rendered)
        #expect(try Template.render(Template.literal(text), [:]) == text)
    }

    @Test("values shorter than the masking minimum are not scrubbed from free text")
    func shortValues() {
        var r = Redactor()
        r.add("abc")
        r.add("abcd")
        #expect(r.redact("abc abcd abcde") == "abc *** ***e")
    }
}

@Suite("Values: durations, budgets, dates, thresholds")
struct ValueTests {
    @Test(
        "durations",
        arguments: [("500ms", 0.5), ("30s", 30), ("10m", 600), ("1h30m", 5400), ("1.5s", 1.5), ("7d", 604_800)])
    func durations(text: String, seconds: Double) {
        #expect(SpecDuration(text)?.seconds == seconds)
        #expect(SpecDuration(SpecDuration(text)!.description)?.seconds == seconds)
    }

    @Test("bad durations", arguments: ["", "10", "m", "10x", "1.s", ".5s", "-1s", "1 m"])
    func badDurations(text: String) { #expect(SpecDuration(text) == nil) }

    @Test("budgets")
    func budgets() throws {
        let b = try #require(DurationBudget("< 500ms"))
        #expect(b.allows(0.499) && !b.allows(0.5))
        let c = try #require(DurationBudget("<=1s"))
        #expect(c.allows(1.0) && !c.allows(1.001))
        #expect(DurationBudget("> 1s") == nil)
    }

    @Test("calendar dates round-trip through days since the epoch")
    func dates() throws {
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2026-02-29") == nil)
        #expect(CalendarDate("2026-13-01") == nil)
        #expect(CalendarDate("26-1-1") == nil)
        let d = try #require(CalendarDate("2026-11-26"))
        #expect(CalendarDate(Date(timeIntervalSince1970: Double(d.daysSinceEpoch) * 86400 + 3600)) == d)
        #expect(CalendarDate(Date(timeIntervalSince1970: 0)).description == "1970-01-01")
        #expect(d.days(until: CalendarDate("2027-01-01")!) == 36)
    }

    @Test(
        "thresholds normalise to base units",
        arguments: [
            ("p99 < 300ms", 0.3), ("p99.9 <= 1s", 1.0), ("max < 2s", 2.0), ("error_rate < 0.1%", 0.001),
            ("error_rate < 0.001", 0.001), ("rps >= 1200", 1200), ("target.cpu < 80%", 80),
            ("target.rss < 1GiB", 1_073_741_824),
        ])
    func thresholds(text: String, limit: Double) throws {
        let t = try Threshold(parsing: text)
        #expect(abs(t.limit - limit) < 1e-12)
    }

    @Test(
        "threshold errors name the problem",
        arguments: [
            ("p99 300ms", "needs a comparison after 'p99': <, <=, >, >=, == or !=, as in 'p99 < 300ms'"),
            ("p99 =< 1s", "'=<' is not a comparison; use <, <=, >, >=, == or !=, as in 'p99 < 300ms'"),
            ("rps > 10 req", "rps is a plain number; drop the unit 'req'"),
            (
                "p100 < 1s",
                "unknown metric 'p100'; did you mean 'p50'? (metrics: p50 … p99.9, max, avg, error_rate, rps, dropped, target.cpu, target.rss, …)"
            ),
            ("target.cpu < 80", "target.cpu is a percentage of one core: write it as '< 80%'"),
        ])
    func thresholdErrors(text: String, message: String) {
        do throws(Threshold.ParseError) {
            _ = try Threshold(parsing: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message == message)
        }
    }
}

@Suite("Reading typed values")
struct ReadingTests {
    @Test("a quoted ${VAR:-default} in a number field reads as a number, set or not")
    func quotedSubstitutionInNumber() throws {
        let text = SpecFixtures.minimal + "traffic: { expected_peak_rps: \"${PEAK:-5}\" }\n"
        #expect(try SpecFixtures.load(text).traffic?.expectedPeakRPS == 5)
        #expect(try SpecFixtures.load(text, env: ["PEAK": "40"]).traffic?.expectedPeakRPS == 40)
    }

    @Test("equals: null asks for JSON null; an absent predicate stays absent")
    func explicitNull() throws {
        let text =
            SpecFixtures.minimal + """
                smoke:
                  scenarios:
                    - name: s
                      steps:
                        - request: { path: / }
                          expect: { jsonpath: { "$.a": { equals: null }, "$.b": { exists: true } } }

                """
        let predicates = try SpecFixtures.load(text).smoke!.scenarios[0].steps[0].expect!.jsonpath
        #expect(predicates[0].predicate.equals == .null)
        #expect(predicates[1].predicate.equals == nil)
        #expect(predicates[1].predicate.exists == true)
    }
}
