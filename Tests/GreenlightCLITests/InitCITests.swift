import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

/// `greenlight init --ci`: the pipelines it writes, and the repository's action.yml and GitLab template
/// they use, checked against the published schemas (check-jsonschema's built-in copies) and read back as
/// YAML for their structure.
@Suite("greenlight init --ci", .serialized)
struct InitCITests {
    static let action = "greenlight-dev/greenlight@v1"
    static let gitlabTemplate = "ci/gitlab/greenlight.gitlab-ci.yml"

    @Test("--ci github writes .github/workflows/greenlight.yml: schema-valid, gate before deploy, rollout after")
    func github() throws {
        let folder = try TemporaryFolder("gl-ci")
        defer { folder.remove() }
        let r = try CLI.run(["init", "--ci", "github"], in: folder.url)
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("wrote .github/workflows/greenlight.yml"), "\(r.stdout)")
        #expect(r.stdout.contains("GREENLIGHT_LEDGER"), "\(r.stdout)")
        let file = folder.appending(".github/workflows/greenlight.yml")
        try Self.checkSchema("vendor.github-workflows", file)

        let workflow = try Self.yaml(file)
        let env = try #require(workflow["env"] as? [String: Any])
        #expect(env["GREENLIGHT_SPEC"] as? String == "release.yaml")
        #expect(env["GREENLIGHT_LEDGER"] as? String == "${{ secrets.GREENLIGHT_LEDGER }}")
        #expect(env["GREENLIGHT_TOKEN"] as? String == "${{ secrets.GREENLIGHT_TOKEN }}")

        let jobs = try #require(workflow["jobs"] as? [String: [String: Any]])
        #expect(Set(jobs.keys) == ["validate", "check", "signoffs", "gate", "deploy", "rollout"])
        let needs = jobs.mapValues(Self.needs)
        #expect(needs["check"] == ["validate"])
        #expect(needs["signoffs"] == ["check"])
        #expect(needs["gate"] == ["signoffs"])
        #expect(needs["deploy"] == ["gate"], "the deploy waits for the gate")
        #expect(needs["rollout"] == ["deploy"], "the rollout follows the deploy")
        #expect(
            Self.ancestors(of: "rollout", needs).isSuperset(of: ["deploy", "gate", "signoffs", "check", "validate"]))
        // The jobs after the check run on the default branch only; validate and check on every push.
        for name in ["signoffs", "gate", "deploy", "rollout"] {
            #expect(
                (jobs[name]?["if"] as? String)?.contains("github.event.repository.default_branch") == true, "\(name)")
        }
        #expect(jobs["validate"]?["if"] == nil && jobs["check"]?["if"] == nil)
        #expect((jobs["deploy"]?["environment"] as? String) == "production")
        let rolloutEnv = jobs["rollout"]?["env"] as? [String: Any]
        #expect(rolloutEnv?["GREENLIGHT_ROUTER_TOKEN"] as? String == "${{ secrets.GREENLIGHT_ROUTER_TOKEN }}")

        // Each greenlight job runs the action, pinned to this release, with a command greenlight has.
        var commands: [String: String] = [:]
        for (name, job) in jobs where name != "deploy" {
            let steps = try #require(job["steps"] as? [[String: Any]])
            let uses = steps.filter { $0["uses"] as? String == Self.action }
            #expect(uses.count == 1, "\(name) runs \(Self.action) once")
            let with = try #require(uses.first?["with"] as? [String: Any])
            #expect(with["version"] as? String == GreenlightVersion.current, "\(name)")
            commands[name] = try #require(with["args"] as? String)
            if name == "check" {
                #expect(with["report-dir"] as? String == "greenlight-report")
                #expect(with["artifact-name"] as? String == "greenlight-report")
            }
        }
        #expect(commands["validate"] == "validate ${{ env.GREENLIGHT_SPEC }}")
        #expect(commands["check"]?.hasPrefix("check ${{ env.GREENLIGHT_SPEC }} --report-dir greenlight-report") == true)
        #expect(commands["check"]?.contains("'--no-record'") == true, "branches and pull requests do not record")
        #expect(commands["signoffs"] == "ledger show ${{ env.GREENLIGHT_SPEC }}")
        #expect(commands["gate"] == "gate ${{ env.GREENLIGHT_SPEC }}")
        #expect(commands["rollout"] == "rollout ${{ env.GREENLIGHT_SPEC }}")
        for command in commands.values { try Self.expectRealCommand(command) }
    }

    @Test("--ci gitlab writes .gitlab-ci.yml: schema-valid, includes the template, gate before deploy, rollout after")
    func gitlab() throws {
        let folder = try TemporaryFolder("gl-ci")
        defer { folder.remove() }
        let r = try CLI.run(["init", "--ci", "gitlab", "--spec", "deploy/release.yaml"], in: folder.url)
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("wrote .gitlab-ci.yml"), "\(r.stdout)")
        #expect(r.stdout.contains("There is no deploy/release.yaml yet"), "\(r.stdout)")
        let file = folder.appending(".gitlab-ci.yml")
        try Self.checkSchema("vendor.gitlab-ci", file)

        let pipeline = try Self.yaml(file)
        let include = try #require(pipeline["include"] as? [[String: Any]])
        let remote = try #require(include.first?["remote"] as? String)
        #expect(
            remote
                == "https://raw.githubusercontent.com/greenlight-dev/greenlight/v\(GreenlightVersion.current)/\(Self.gitlabTemplate)"
        )
        let variables = try #require(pipeline["variables"] as? [String: Any])
        #expect(variables["GREENLIGHT_SPEC"] as? String == "deploy/release.yaml")
        #expect(variables["GREENLIGHT_VERSION"] as? String == GreenlightVersion.current)

        let stages = try #require(pipeline["stages"] as? [String])
        let jobs = pipeline.compactMapValues { $0 as? [String: Any] }.filter { $0.value["stage"] != nil }
        #expect(
            Set(jobs.keys) == [
                "greenlight:validate", "greenlight:check", "greenlight:signoffs", "greenlight:gate", "deploy",
                "greenlight:rollout",
            ])
        func stage(_ job: String) -> Int { stages.firstIndex(of: jobs[job]?["stage"] as? String ?? "") ?? -1 }
        #expect(stage("greenlight:validate") < stage("greenlight:check"))
        #expect(stage("greenlight:check") < stage("greenlight:gate"))
        #expect(stage("greenlight:gate") < stage("deploy"), "the gate's stage comes before the deploy's")
        #expect(stage("deploy") < stage("greenlight:rollout"), "the rollout's stage comes after the deploy's")
        #expect(jobs.keys.allSatisfy { stage($0) >= 0 })
        let needs = jobs.mapValues(Self.needs)
        #expect(needs["deploy"] == ["greenlight:gate"], "the deploy waits for the gate")
        #expect(needs["greenlight:rollout"] == ["deploy"], "the rollout follows the deploy")
        #expect(needs["greenlight:gate"] == ["greenlight:signoffs"])

        // Every job but the deploy extends a hidden job of the template in this repository.
        let template = try Self.yaml(SpecFixtures.repository.appendingPathComponent(Self.gitlabTemplate))
        for (name, job) in jobs where name != "deploy" {
            let extends = try #require(job["extends"] as? String, "\(name) extends a template job")
            #expect(template[extends] is [String: Any], "\(name) extends \(extends), which the template defines")
        }
        let check = try #require(template[".greenlight-check"] as? [String: Any])
        let artifacts = try #require(check["artifacts"] as? [String: Any])
        #expect((artifacts["reports"] as? [String: Any])?["junit"] as? String == "greenlight-report/junit.xml")
        #expect(artifacts["expose_as"] is String)
        #expect(artifacts["when"] as? String == "always")
    }

    @Test("the repository's action.yml and GitLab template validate, name this release and run real commands")
    func shippedFiles() throws {
        let action = SpecFixtures.repository.appendingPathComponent("action.yml")
        let template = SpecFixtures.repository.appendingPathComponent(Self.gitlabTemplate)
        try Self.checkSchema("vendor.github-actions", action)
        try Self.checkSchema("vendor.gitlab-ci", template)

        let inputs = try #require(try Self.yaml(action)["inputs"] as? [String: [String: Any]])
        #expect(inputs["version"]?["default"] as? String == GreenlightVersion.current)
        let url = try #require(inputs["download-url"]?["default"] as? String)
        let repository = String(Self.action.prefix { $0 != "@" })
        #expect(url.hasPrefix("https://github.com/\(repository)/releases/download/v{version}/"), "\(url)")
        for key in ["args", "report-dir", "artifact-name", "step-summary"] { #expect(inputs[key] != nil, "\(key)") }

        let parsed = try Self.yaml(template)
        let variables = try #require(parsed["variables"] as? [String: Any])
        #expect(variables["GREENLIGHT_VERSION"] as? String == GreenlightVersion.current)
        #expect(variables["GREENLIGHT_IMAGE"] as? String == "ghcr.io/greenlight-dev/greenlight")
        for (name, job) in parsed where name.hasPrefix(".greenlight-") {
            for line in (job as? [String: Any])?["script"] as? [String] ?? [] where line.hasPrefix("greenlight ") {
                try Self.expectRealCommand(String(line.dropFirst("greenlight ".count)))
            }
        }
    }

    @Test(
        "an existing pipeline is not overwritten without --force (exit 2); --force overwrites it",
        arguments: [("github", ".github/workflows/greenlight.yml"), ("gitlab", ".gitlab-ci.yml")])
    func refusesToOverwrite(provider: String, path: String) throws {
        let folder = try TemporaryFolder("gl-ci")
        defer { folder.remove() }
        let file = folder.appending(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "# mine\n".write(to: file, atomically: true, encoding: .utf8)

        let refused = try CLI.run(["init", "--ci", provider], in: folder.url)
        #expect(refused.status == 2, "\(refused.all)")
        #expect(
            refused.stderr.contains("\(path) already exists; nothing was written. Pass --force"), "\(refused.stderr)")
        #expect(try String(contentsOf: file, encoding: .utf8) == "# mine\n")

        let forced = try CLI.run(["init", "--ci", provider, "--force"], in: folder.url)
        #expect(forced.status == 0, "\(forced.all)")
        #expect(try String(contentsOf: file, encoding: .utf8).contains("greenlight init --ci \(provider)"))
    }

    @Test("--output names another file; - prints the pipeline and writes nothing")
    func output() throws {
        let folder = try TemporaryFolder("gl-ci")
        defer { folder.remove() }
        let printed = try CLI.run(["init", "--ci", "gitlab", "--output", "-"], in: folder.url)
        #expect(printed.status == 0, "\(printed.all)")
        #expect(printed.stdout.contains("extends: .greenlight-gate"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)

        let named = try CLI.run(["init", "--ci", "github", "-o", "ci/pipeline.yml"], in: folder.url)
        #expect(named.status == 0, "\(named.all)")
        #expect(FileManager.default.fileExists(atPath: folder.appending("ci/pipeline.yml").path))
    }

    @Test(
        "bad --ci, --spec and --service combinations exit 2 with a message",
        arguments: [
            (["init", "--ci", "jenkins"], "jenkins"),
            (["init", "--ci", "github", "--spec", "/abs/release.yaml"], "relative to the repository's root"),
            (["init", "--ci", "github", "--spec", "a b.yaml"], "ASCII letters"),
            (["init", "--spec", "release.yaml"], "--spec goes with --ci"),
            (["init", "--ci", "gitlab", "--service", "checkout"], "--service goes with the starter spec"),
        ])
    func usage(arguments: [String], message: String) throws {
        let r = try CLI.run(arguments + ["--output", "-"])
        #expect(r.status == 2, "\(r.all)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test("init --help teaches --ci with examples; plain init still writes release.yaml")
    func helpAndStarter() throws {
        let help = try CLI.run(["init", "--help"])
        #expect(help.status == 0)
        for text in [
            "--ci <provider>", "greenlight init --ci github", "greenlight init --ci gitlab --spec", "docs/ci.md",
        ] {
            #expect(help.stdout.contains(text), "\(text)")
        }
        let folder = try TemporaryFolder("gl-ci")
        defer { folder.remove() }
        let starter = try CLI.run(["init", "--service", "checkout"], in: folder.url)
        #expect(starter.status == 0, "\(starter.all)")
        #expect(FileManager.default.fileExists(atPath: folder.appending("release.yaml").path))
    }

    // MARK: helpers

    /// Validates `file` with check-jsonschema's built-in copy of a published schema; a missing
    /// check-jsonschema fails the test (scripts/test installs it).
    static func checkSchema(_ schema: String, _ file: URL, sourceLocation: Testing.SourceLocation = #_sourceLocation)
        throws
    {
        let r = try CLI.runProgram("/usr/bin/env", ["check-jsonschema", "--builtin-schema", schema, file.path])
        if r.status == 127 {
            Issue.record(
                "check-jsonschema is not installed: python3 -m pip install check-jsonschema (scripts/test installs it). \(r.stderr)",
                sourceLocation: sourceLocation)
            return
        }
        #expect(r.status == 0, "\(file.lastPathComponent) against \(schema): \(r.all)", sourceLocation: sourceLocation)
    }

    /// The file read as YAML (by PyYAML, independent of greenlight's own reader).
    static func yaml(_ file: URL) throws -> [String: Any] {
        let r = try CLI.python(
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=str))", [file.path])
        try #require(r.status == 0, "python3 with PyYAML reads \(file.lastPathComponent): \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    static func needs(_ job: [String: Any]) -> [String] {
        if let one = job["needs"] as? String { return [one] }
        return job["needs"] as? [String] ?? []
    }

    static func ancestors(of job: String, _ needs: [String: [String]]) -> Set<String> {
        var found: Set<String> = []
        var queue = needs[job] ?? []
        while let next = queue.popLast() {
            if found.insert(next).inserted { queue += needs[next] ?? [] }
        }
        return found
    }

    /// A pipeline's command line (after `greenlight`) names a real subcommand, and every `--flag` it
    /// passes is one that subcommand's help lists.
    static func expectRealCommand(_ line: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let words = line.split(separator: " ").map(String.init)
        let path = words.prefix { $0.allSatisfy { $0.isLetter } }
        let flags = words.filter { $0.hasPrefix("--") }.map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        let help = try CLI.run(Array(path) + ["--help"])
        #expect(
            help.status == 0, "greenlight \(path.joined(separator: " ")) --help: \(help.all)",
            sourceLocation: sourceLocation)
        #expect(
            help.stdout.contains("USAGE: greenlight \(path.joined(separator: " "))"), sourceLocation: sourceLocation)
        for flag in flags {
            #expect(
                help.stdout.contains(flag), "greenlight \(path.joined(separator: " ")) has no \(flag)",
                sourceLocation: sourceLocation)
        }
    }
}
