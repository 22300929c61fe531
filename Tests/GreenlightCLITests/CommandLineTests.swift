import Foundation
import FoundationXML
import GreenlightCore
import GreenlightTestSupport
import Testing

@Suite("greenlight command line", .serialized)
struct CommandLineTests {
    @Test("validate accepts the example")
    func validateExample() throws {
        let r = try CLI.run(["validate", CLI.example])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("valid: checkout 2.14.0"))
    }

    @Test("validate reports every problem as file:line:col and exits 2")
    func validateErrors() throws {
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        let file = dir.appendingPathComponent("release.yaml")
        try """
        version: 1
        service: { name: checkout, version: 1.0.0, ownr: team }
        risk: { likelihood: 9, impact: 2 }
        traffic: { expected_peak_rps: 100 }
        load: { multiplier: 2, duration: 10m }

        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["validate", "release.yaml"], in: dir)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "release.yaml:2:10: service.owner: is required but missing (the team that owns the service, such as payments-team)",
                "release.yaml:2:44: service.ownr: unknown field; did you mean 'owner'? (service takes: name, version, owner, author, ticket)",
                "release.yaml:3:21: risk.likelihood: must be at most 5, got 9",
                "release.yaml:5:21: load.multiplier: must be at least 3 (test at 3x expected peak or more), got 2",
                "release.yaml: 4 problems; nothing was run",
            ])
    }

    @Test(
        "usage errors and missing files exit 2 with a message",
        arguments: [
            (["frobnicate"], "Unexpected argument 'frobnicate'"),
            (["validate"], "Missing expected argument '<file>'"),
            (["validate", "no-such.yaml"], "no-such.yaml:1:1: the file does not exist"),
            (
                ["check", "Examples/release.yaml", "--env", "prod"],
                "has no environment 'prod'. Did you mean 'production'?"
            ),
            (
                ["check", "Examples/release.yaml", "--policy", "nope.yaml"],
                "nope.yaml:1:1: the policy file does not exist"
            ),
            (["init", "--service", "bad name"], "--service 'bad name'"),
        ])
    func usageErrors(arguments: [String], message: String) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == 2, "\(r.all)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test("help teaches the commands and exits 0")
    func help() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        for word in ["init", "validate", "schema", "check", "risk", "Exit codes"] { #expect(r.stdout.contains(word)) }
        let check = try CLI.run(["check", "--help"])
        #expect(check.status == 0 && check.stdout.contains("--report-dir"))
    }

    @Test("check writes four report files; JUnit is well-formed; report.json carries a valid digest")
    func checkWritesReports() throws {
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        let summary = dir.appendingPathComponent("summary.md")
        let r = try CLI.run(
            ["check", CLI.example, "--report-dir", dir.appendingPathComponent("out").path],
            env: ["GITHUB_STEP_SUMMARY": summary.path])
        // Load testing and monitoring hooks have no runner yet: not run, which is NO-GO.
        #expect(r.status == 1, "\(r.all)")
        #expect(r.stdout.contains("NO-GO"))
        #expect(!r.stdout.contains("\u{1B}["), "colour escapes in piped output")
        let out = dir.appendingPathComponent("out")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(files == ["junit.xml", "report.html", "report.json", "report.md"])

        let report = try Report.decode(Data(contentsOf: out.appendingPathComponent("report.json")))
        #expect(report.verdict.decision == .noGo)
        #expect(report.computeDigest() == report.digest)
        #expect(report.checks.contains { $0.id == "checklist.migrations-reversible" && $0.status == .pass })

        let xml = try XMLDocument(contentsOf: out.appendingPathComponent("junit.xml"))
        let testcases = try xml.nodes(forXPath: "//testcase")
        #expect(testcases.count == report.checks.count)
        let failures = try xml.nodes(forXPath: "//testcase/failure")
        #expect(failures.count == report.checks.filter(\.blocks).count)

        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && !html.contains("src=\"http") && !html.contains("<link"))

        let appended = try String(contentsOf: summary, encoding: .utf8)
        #expect(appended.contains("NO-GO") && appended.contains(report.digest!))
    }

    @Test("colour on a terminal, none when NO_COLOR is set (run under a pseudo-terminal with script)")
    func colourOnlyOnATerminal() throws {
        let command = "'\(CLI.binary.path)' check '\(CLI.example)'"
        // An empty NO_COLOR counts as unset (no-color.org); the test runner itself may set it.
        let coloured = try CLI.runProgram(
            "/usr/bin/script", ["-qec", command, "/dev/null"], env: ["TERM": "xterm", "NO_COLOR": ""])
        let sgr = "\u{1B}[0m"  // every colour or style ends with a reset
        #expect(coloured.stdout.contains(sgr), "no colour on a terminal: \(coloured.stdout)")
        let plain = try CLI.runProgram(
            "/usr/bin/script", ["-qec", command, "/dev/null"], env: ["TERM": "xterm", "NO_COLOR": "1"])
        #expect(plain.stdout.contains("NO-GO checkout 2.14.0"))
        #expect(!plain.stdout.contains(sgr), "colour despite NO_COLOR: \(plain.stdout)")
    }

    @Test("--quiet prints the verdict line only; --json prints the report")
    func quietAndJSON() throws {
        let quiet = try CLI.run(["check", CLI.example, "--quiet"])
        #expect(quiet.status == 1)
        #expect(quiet.stdout.split(separator: "\n").count == 1)
        #expect(quiet.stdout.hasPrefix("NO-GO checkout 2.14.0"))
        let json = try CLI.run(["check", CLI.example, "--json"])
        #expect(json.status == 1)
        let report = try Report.decode(Data(json.stdout.utf8))
        #expect(report.release.service == "checkout")
    }

    @Test("the JSON Schema validates the example and rejects what the loader rejects (python jsonschema)")
    func schemaValidatesExample() throws {
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        let schema = try CLI.run(["schema"])
        #expect(schema.status == 0)
        let schemaFile = dir.appendingPathComponent("schema.json")
        try schema.stdout.write(to: schemaFile, atomically: true, encoding: .utf8)
        let bad = dir.appendingPathComponent("bad.yaml")
        let example = try String(contentsOfFile: CLI.example, encoding: .utf8)
        try example.replacingOccurrences(of: "  owner: payments-team", with: "  ownr: payments-team")
            .write(to: bad, atomically: true, encoding: .utf8)
        let script = """
            import json, sys, yaml, jsonschema
            class Loader(yaml.SafeLoader): pass
            # Keep dates as text, as greenlight does (YAML 1.2 has no timestamp type).
            for first, resolvers in list(Loader.yaml_implicit_resolvers.items()):
                Loader.yaml_implicit_resolvers[first] = [r for r in resolvers if r[0] != 'tag:yaml.org,2002:timestamp']
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            for path, expect_valid in ((sys.argv[2], True), (sys.argv[3], False)):
                errors = list(validator.iter_errors(yaml.load(open(path), Loader=Loader)))
                if bool(errors) == expect_valid:
                    print(path, "expected", "valid" if expect_valid else "invalid", [e.message for e in errors][:5])
                    sys.exit(1)
            print("ok")
            """
        let r = try CLI.python(script, [schemaFile.path, CLI.example, bad.path])
        #expect(r.status == 0, "python jsonschema: \(r.all)")
        #expect(r.stdout.contains("ok"))
    }

    @Test("init writes a starter spec that validates, and never overwrites without --force")
    func initStarter() throws {
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        let r = try CLI.run(["init", "--service", "payments"], in: dir)
        #expect(r.status == 0, "\(r.all)")
        let file = dir.appendingPathComponent("release.yaml")
        let written = try String(contentsOf: file, encoding: .utf8)
        #expect(written.contains("name: payments"))
        let validate = try CLI.run(["validate", "release.yaml"], in: dir)
        #expect(validate.status == 0, "\(validate.all)")

        try "my edits\n".write(to: file, atomically: true, encoding: .utf8)
        let again = try CLI.run(["init", "--service", "payments"], in: dir)
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists; nothing was written"))
        #expect(try String(contentsOf: file, encoding: .utf8) == "my edits\n")
        let forced = try CLI.run(["init", "--service", "payments", "--force"], in: dir)
        #expect(forced.status == 0)
        #expect(try String(contentsOf: file, encoding: .utf8) == written)
    }

    @Test("a secret passed through ${ENV} appears in no output, report or error")
    func secretsStaySecret() throws {
        let secret = "s3cr3t-Token-4242"
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        let example = try String(contentsOfFile: CLI.example, encoding: .utf8)
        // Use the secret in a header, a smoke body, and a failing evidence command that prints it.
        let spec =
            example
            .replacingOccurrences(of: "${INFO_TOKEN:-none}", with: "${API_TOKEN}")
            .replacingOccurrences(of: "${SMOKE_PASSWORD:-demo-password}", with: "${API_TOKEN}")
            .replacingOccurrences(
                of: "evidence: { command: ./scripts/check-migrations.sh, timeout: 60s }",
                with: "evidence: { command: \"echo token=${API_TOKEN}; exit 3\", timeout: 5s }")
        let examples = try CLI.examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples.deletingLastPathComponent()) }
        let file = examples.appendingPathComponent("secret-test.yaml")
        try spec.write(to: file, atomically: true, encoding: .utf8)

        let check = try CLI.run(["check", file.path, "--report-dir", dir.path], env: ["API_TOKEN": secret])
        #expect(check.status == 1)
        #expect(check.stdout.contains("exited 3"))
        #expect(!check.all.contains(secret))
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            #expect(!text.contains(secret), "\(name) shows the secret")
            if name == "report.json" { #expect(text.contains("token=***")) }
        }

        // An error about a field whose value came from the environment names the variable only.
        let bad = spec.replacingOccurrences(of: "expected_peak_rps: 400", with: "expected_peak_rps: \"${API_TOKEN}\"")
        try bad.write(to: file, atomically: true, encoding: .utf8)
        let validate = try CLI.run(["validate", file.path], env: ["API_TOKEN": secret])
        #expect(validate.status == 2)
        #expect(validate.stderr.contains("got a value from ${API_TOKEN} (not shown)"))
        #expect(!validate.all.contains(secret))
    }

    @Test("risk: the example meets its class; the lesson's under-protected rollout falls short; the policy round-trips")
    func risk() throws {
        let ok = try CLI.run(["risk", CLI.example])
        #expect(ok.status == 0, "\(ok.all)")
        #expect(ok.stdout.contains("likelihood 3 x impact 4 (given) = 12: class high"))

        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        let example = try String(contentsOfFile: CLI.example, encoding: .utf8)
        try example.replacingOccurrences(of: "steps: [1, 5, 25, 50, 100]", with: "steps: [5, 25, 50, 100]")
            .replacingOccurrences(of: "  feature_flag: checkout-v2            # the kill switch\n", with: "")
            .write(to: dir.appendingPathComponent("release.yaml"), atomically: true, encoding: .utf8)
        for name in ["runbooks", "scripts", "migrations"] {
            try FileManager.default.copyItem(
                at: SpecFixtures.repository.appendingPathComponent("Examples/\(name)"),
                to: dir.appendingPathComponent(name))
        }
        let short = try CLI.run(["risk", "release.yaml"], in: dir)
        #expect(short.status == 1)
        #expect(
            short.stdout.contains(
                "✖ First canary step: class high (score 12) requires a first step of at most 1%; declared: first step 5%"
            ))
        #expect(
            short.stdout.contains(
                "✖ Feature-flag kill switch: class high (score 12) requires a feature flag as kill switch; declared: no feature_flag"
            ))

        let policy = try CLI.run(["risk", "--show-policy"])
        #expect(policy.status == 0)
        try policy.stdout.write(to: dir.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
        let withPolicy = try CLI.run(["risk", CLI.example, "--policy", dir.appendingPathComponent("policy.yaml").path])
        #expect(withPolicy.status == 0, "\(withPolicy.all)")
    }

    @Test("random damage to the example ends in exit 0 or 2 with a message, through the binary")
    func mutationsThroughBinary() throws {
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        let example = try [UInt8](Data(contentsOf: URL(fileURLWithPath: CLI.example)))
        var rng = SplitMix64(seed: 20_261_126)  // fixed, so a failure can be replayed
        for i in 0..<40 {
            var bytes = example
            let cut = Int.random(in: 0..<bytes.count, using: &rng)
            if i % 2 == 0 {
                bytes = Array(bytes.prefix(cut))
            } else {
                bytes.insert(
                    contentsOf: [[0x09], [0x3A, 0x20], [0xFF], [0x7B], [0x22]].randomElement(using: &rng)!, at: cut)
            }
            let file = dir.appendingPathComponent("m\(i).yaml")
            try Data(bytes).write(to: file)
            let r = try CLI.run(["validate", file.path], timeout: 20)
            #expect(r.status == 0 || r.status == 2, "cut \(cut): exit \(r.status): \(r.all)")
            if r.status == 2 { #expect(r.stderr.contains("m\(i).yaml:"), "no located message: \(r.stderr)") }
        }
    }
}

@Suite("greenlight demo", .serialized)
struct DemoCommandTests {
    @Test("demo: GO against DemoShop on loopback, monitoring hooks decided by the observability checks")
    func demoGo() throws {
        let r = try CLI.run(["demo"], timeout: 120)
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("GO demoshop 1.1.0"))
        #expect(
            r.stdout.split(separator: "\n").contains { $0.contains("pass") && $0.contains("Monitoring hooks") },
            "\(r.stdout)")
        #expect(r.stdout.contains("Smoke: sign in and buy"))
        // After the GO, the regressed v2 goes out as a canary and is caught at the first step.
        #expect(r.stdout.contains("step 1/4: canary at 0.5 %"), "\(r.stdout)")
        #expect(!r.stdout.contains("step 2/4"), "\(r.stdout)")
        #expect(r.stdout.contains("canary: rolled back (weight 0 "), "\(r.stdout)")
        #expect(r.stdout.contains("feature flag 'checkout-v2' killed"), "\(r.stdout)")
    }

    @Test("demo --good-canary: a healthy v2 is promoted to 100 % step by step")
    func demoGoodCanary() throws {
        let r = try CLI.run(["demo", "--good-canary"], timeout: 120)
        #expect(r.status == 0, "\(r.all)")
        for (step, weight) in [(1, "0.5"), (2, "10"), (3, "50"), (4, "100")] {
            #expect(r.stdout.contains("step \(step)/4: canary at \(weight) %"), "\(r.stdout)")
        }
        #expect(r.stdout.contains("canary: promoted to 100 %"), "\(r.stdout)")
    }

    @Test("demo: the report is recorded, three demo signers approve its digest, and the gate opens")
    func demoSignOff() throws {
        let folder = try TemporaryFolder("gl-demo-ledger")
        defer { folder.remove() }
        let ledger = folder.appending("demo.sqlite").path
        let r = try CLI.run(["demo", "--ledger", ledger], timeout: 120)
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("Sign-off: report recorded in \(ledger)"), "\(r.stdout)")
        for (name, role) in [("dana", "engineering"), ("priya", "product"), ("sam", "sre")] {
            #expect(r.stdout.contains("\(name) approves as \(role) report sha256:"), "\(r.stdout)")
            #expect(r.stdout.contains("✓ \(role): \(name) approved at "), "\(r.stdout)")
        }
        #expect(r.stdout.contains("gate demoshop@1.1.0: OPEN"))
        // The kept ledger is a real one: the commands read it.
        let verify = try CLI.run(["ledger", "verify", "--ledger", ledger])
        // The sign-off's 9 records, then the canary's: the flag, its kill, the rollout's events.
        #expect(verify.status == 0 && verify.stdout.contains("intact, "), "\(verify.all)")
        let rollout = try CLI.run(["ledger", "show", "demoshop@1.1.0", "--ledger", ledger])
        #expect(rollout.stdout.contains("rollout-event") && rollout.stdout.contains("rollback"), "\(rollout.all)")
        let gate = try CLI.run(["gate", "demoshop@1.1.0", "--ledger", ledger])
        #expect(gate.status == 0, "\(gate.all)")
        let again = try CLI.run(["demo", "--ledger", ledger])
        #expect(again.status == 2 && again.stderr.contains("the demo writes a new ledger"), "\(again.all)")
    }

    @Test("demo with a real Alertmanager: the test page is delivered, and no Alertmanager is left running")
    func demoAlertPipeline() throws {
        let folder = try TemporaryFolder("gl-demo-report")
        defer { folder.remove() }
        let r = try CLI.run(["demo", "--report-dir", folder.path], timeout: 120)
        #expect(r.status == 0, "\(r.all)")
        let report = try String(contentsOf: folder.appending("report.json"), encoding: .utf8)
        #expect(report.contains("reached demoshop-oncall and were delivered in"), "\(report)")
        #expect(report.contains("2 paging alerts reach demoshop-oncall in alertmanager.yml"))
        #expect(!r.stderr.contains("Alertmanager is not installed"))
        let left = try CLI.runProgram("/usr/bin/pgrep", ["-f", "alertmanager --config.file=/tmp/greenlight-demo-"])
        #expect(left.stdout.isEmpty, "left running: \(left.stdout)")
    }

    @Test("demo without Alertmanager: still GO with only the alert pipeline waived, and says how to install it")
    func demoWithoutAlertmanager() throws {
        let r = try CLI.run(["demo"], env: ["GREENLIGHT_ALERTMANAGER": "none"], timeout: 120)
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("GO demoshop 1.1.0: 21 checks, none blocking (1 waived)"), "\(r.stdout)")
        #expect(r.stdout.contains("7 of 8 checks passed; waived: Alert → page through"), "\(r.stdout)")
        #expect(r.stderr.contains("apt-get install prometheus-alertmanager"), "\(r.stderr)")
    }

    @Test("demo --broken: NO-GO naming the regression and the drift")
    func demoBroken() throws {
        let r = try CLI.run(["demo", "--broken"], timeout: 120)
        #expect(r.status == 1, "\(r.all)")
        #expect(r.stdout.contains("NO-GO demoshop 1.1.0"))
        #expect(r.stdout.contains("step 'buy one' (3 of 4): status: expected 201, got 500"))
        #expect(r.stdout.contains("undeclared differences:") && r.stdout.contains("config.max_connections"))
        #expect(r.stdout.contains("gate demoshop@1.1.0: CLOSED"))
        #expect(r.stdout.contains("is NO-GO"))
    }

    @Test("demo --print-spec prints a spec that validates")
    func printSpec() throws {
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        let r = try CLI.run(["demo", "--print-spec"])
        #expect(r.status == 0)
        try r.stdout.write(to: dir.appendingPathComponent("demo.yaml"), atomically: true, encoding: .utf8)
        let policy = try CLI.run(["demo", "--print-policy"])
        try policy.stdout.write(to: dir.appendingPathComponent("demo-policy.yaml"), atomically: true, encoding: .utf8)
        let validate = try CLI.run(["validate", "demo.yaml", "--policy", "demo-policy.yaml"], in: dir)
        #expect(validate.status == 0, "\(validate.all)")
        // Under the built-in policy, the demo's 4 s load test is too short to count as sustained.
        let strict = try CLI.run(["validate", "demo.yaml"], in: dir)
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("load.duration") && strict.stderr.contains("at least 5m"), "\(strict.all)")
    }
}

/// Where a secret from the environment may stand in a spec; each must stay out of every output.
let secretPlacements: [(String, String)] = [
    ("service owner", "service: { name: svc, version: \"1\", owner: \"team-${SECRET}\" }\n"),
    (
        "waiver approver and reason",
        """
        checklist:
          waivers:
            - { item: load-testing, reason: "because ${SECRET}", approver: "${SECRET}@example.com", expires: 2099-01-01 }

        """
    ),
    (
        "custom item title and command",
        """
        checklist:
          custom:
            - { id: c, title: "check ${SECRET}", evidence: { command: "echo ${SECRET}; exit 1", timeout: 5s } }

        """
    ),
    (
        "smoke header and body against a closed port",
        """
        environments: { staging: { url: "http://127.0.0.1:9" } }
        smoke:
          scenarios:
            - name: s
              steps:
                - request: { method: POST, path: "/login?key=${SECRET}", headers: { X-Token: "${SECRET}" }, json: { p: "${SECRET}" } }

        """
    ),
    (
        "dependency URL with a password",
        """
        dependencies:
          - { name: db, kind: postgres, url: "postgres://app:${SECRET}@127.0.0.1:9/app", timeout: 1s }
          - { name: api, kind: http, url: "http://127.0.0.1:9/health?token=${SECRET}", timeout: 1s }

        """
    ),
    ("risk summary", "risk: { summary: \"touches ${SECRET}\", likelihood: 1, impact: 1 }\n"),
]

@Suite("Secrets in every output", .serialized)
struct SecretOutputTests {
    @Test("a ${SECRET} never reaches stdout, stderr, the report files or the step summary", arguments: secretPlacements)
    func neverShown(placement: String, yaml: String) throws {
        let secret = "Zq7-very-secret-\(placement.count)"
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        var base = "version: 1\n"
        if !yaml.hasPrefix("service:") { base += "service: { name: svc, version: \"1\", owner: team }\n" }
        if !yaml.hasPrefix("risk:") { base += "risk: { likelihood: 1, impact: 1 }\n" }
        try (base + yaml).write(to: dir.appendingPathComponent("release.yaml"), atomically: true, encoding: .utf8)
        let summary = dir.appendingPathComponent("summary.md")
        let check = try CLI.run(
            ["check", "release.yaml", "--report-dir", "out"],
            env: ["SECRET": secret, "GITHUB_STEP_SUMMARY": summary.path],
            in: dir)
        #expect(check.status == 1 || check.status == 0, "\(check.all)")
        #expect(!check.all.contains(secret), "\(placement): shown on the terminal")
        for name in ["report.json", "report.md", "junit.xml", "report.html"] {
            let text = try String(contentsOf: dir.appendingPathComponent("out/\(name)"), encoding: .utf8)
            #expect(!text.contains(secret), "\(placement): in \(name)")
        }
        #expect(
            !(try String(contentsOf: summary, encoding: .utf8)).contains(secret), "\(placement): in the step summary")
        let json = try CLI.run(["check", "release.yaml", "--json"], env: ["SECRET": secret], in: dir)
        #expect(!json.all.contains(secret), "\(placement): in --json")
        let risk = try CLI.run(["risk", "release.yaml"], env: ["SECRET": secret], in: dir)
        #expect(!risk.all.contains(secret), "\(placement): in greenlight risk")
    }
}
