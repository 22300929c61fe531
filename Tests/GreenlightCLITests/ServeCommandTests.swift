import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

/// The command line with the team server as its ledger: `greenlight serve` in a process of its own, and
/// `check`, `signoff`, `gate` and `ledger verify` from "another machine" that knows only its URL and a
/// token (GREENLIGHT_LEDGER=http://…, GREENLIGHT_TOKEN).
@Suite("greenlight serve as the team's ledger", .serialized)
struct ServeCommandTests {
    @Test("check, sign-offs and the gate through the server; each signer sends their own; the chain verifies")
    func remoteLedger() async throws {
        let team = try LedgerCommandTests.Team()
        defer { team.folder.remove() }
        func local(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(arguments + ["--ledger", "team.sqlite"], env: team.env, in: team.folder.url)
        }
        #expect(try local(["ledger", "init"]).status == 0)
        var tokens: [String: String] = [:]
        for (name, role) in [("alice", "engineering"), ("bob", "sre"), ("ci", "ci")] {
            #expect(try team.run(["key", "new", name]).status == 0)
            #expect(try local(["signer", "add", name, "--role", role, "--key", name]).status == 0)
            let token = try local(["token", "new", "--signer", name])
            #expect(token.status == 0, "\(token.all)")
            #expect(token.stderr.contains("it is shown once"))
            tokens[name] = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(tokens[name]?.hasPrefix("glt_") == true)
        }
        let listed = try local(["token", "list"])
        #expect(listed.stdout.contains("alice  live"), "\(listed.all)")
        // The ledger holds hashes only.
        let file = try Data(contentsOf: team.folder.appending("team.sqlite"))
        for token in tokens.values { #expect(file.range(of: Data(token.utf8)) == nil) }

        let port = Loopback.freePort()
        let server = try ChildProcess(
            CLI.binary.path,
            ["serve", "--ledger", team.folder.appending("team.sqlite").path, "--port", String(port)])
        defer { Task { await server.kill() } }
        #expect(try await server.waitForOutput("greenlight serve: http://127.0.0.1:\(port)"), "\(server.output)")

        let url = "http://127.0.0.1:\(port)"
        func remote(_ arguments: [String], as who: String?) throws -> CLI.Result {
            var env = team.env
            env["GREENLIGHT_LEDGER"] = url
            if let who { env["GREENLIGHT_TOKEN"] = tokens[who] }
            return try CLI.run(arguments, env: env, in: team.folder.url)
        }
        let anonymous = try remote(["ledger", "show", "shop@2.0.0"], as: nil)
        #expect(anonymous.status == 2)
        #expect(anonymous.stderr.contains("needs a token: set GREENLIGHT_TOKEN"), "\(anonymous.all)")

        let check = try remote(["check", "go.yaml", "-q"], as: "ci")
        #expect(check.status == 0, "\(check.all)")
        #expect(!FileManager.default.fileExists(atPath: team.ledgerPath), "nothing recorded beside the spec")
        let closed = try remote(["gate", "go.yaml"], as: "ci")
        #expect(closed.status == 1, "\(closed.all)")
        #expect(closed.stdout.contains("✗ no approval by sre"))

        let alice = try remote(
            ["signoff", "go.yaml", "--role", "engineering", "--decision", "approve", "--key", "alice"], as: "alice")
        #expect(alice.status == 0, "\(alice.all)")
        // bob's key, alice's token: the server refuses.
        let borrowed = try remote(
            ["signoff", "go.yaml", "--role", "sre", "--decision", "approve", "--key", "bob"], as: "alice")
        #expect(borrowed.status != 0)
        #expect(borrowed.stderr.contains("each signer sends their own"), "\(borrowed.all)")
        let bob = try remote(
            ["signoff", "go.yaml", "--role", "sre", "--decision", "approve", "--key", "bob"], as: "bob")
        #expect(bob.status == 0, "\(bob.all)")
        let open = try remote(["gate", "go.yaml"], as: "ci")
        #expect(open.status == 0, "\(open.all)")
        #expect(open.stdout.contains("gate shop@2.0.0: OPEN"))

        let shown = try remote(["ledger", "show", "shop@2.0.0"], as: "bob")
        #expect(shown.stdout.contains("bob approves as sre"), "\(shown.all)")
        let verified = try remote(["ledger", "verify"], as: "bob")
        #expect(verified.status == 0, "\(verified.all)")
        #expect(verified.stdout.contains("intact"))
        // The same chain, read from the file itself.
        let direct = try local(["ledger", "verify"])
        #expect(direct.status == 0, "\(direct.all)")
        #expect(direct.stdout.contains("intact"))
    }

    @Test("demo --serve: the demo's ledger served with a token to sign in with, until Ctrl-C")
    func demoServe() async throws {
        let demo = try ChildProcess(CLI.binary.path, ["demo", "--serve", "--serve-port", "0", "--no-canary", "-q"])
        defer { Task { await demo.kill() } }
        #expect(try await demo.waitForOutput("greenlight serve is still running", seconds: 120), "\(demo.output)")
        let output = demo.output
        let dashboard = try #require(
            output.split(separator: "\n").first { $0.hasPrefix("Dashboard: ") }, "\(output)")
        let url = try #require(dashboard.split(separator: " ").dropFirst().first).dropLast()  // the trailing /
        let token = try #require(
            output.range(of: #"glt_[A-Za-z0-9_-]+"#, options: .regularExpression).map { output[$0] })
        let releases = try CLI.runProgram(
            "/usr/bin/curl", ["-s", "-H", "Authorization: Bearer \(token)", "\(url)/api/v1/releases"])
        #expect(releases.stdout.contains("\"release\" : \"demoshop@"), "\(releases.all)")
        #expect(releases.stdout.contains("\"gate\" : \"open\""), "\(releases.all)")
        kill(demo.pid, SIGINT)
        let status = await demo.wait()
        #expect((status >> 8) & 0xFF == 0, "exit status \(status): \(demo.output)")
    }

    @Test("HTTPS: serve --tls-cert/--tls-key; the CLI trusts the team's CA from GREENLIGHT_CA_FILE, and not without it")
    func https() async throws {
        let team = try LedgerCommandTests.Team()
        defer { team.folder.remove() }
        let certificate = try await TestCertificate.make(
            notBefore: Date().addingTimeInterval(-86_400), notAfter: Date().addingTimeInterval(86_400))
        defer { certificate.remove() }
        func local(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(arguments + ["--ledger", "team.sqlite"], env: team.env, in: team.folder.url)
        }
        #expect(try local(["ledger", "init"]).status == 0)
        #expect(try team.run(["key", "new", "alice"]).status == 0)
        #expect(try local(["signer", "add", "alice", "--role", "sre", "--key", "alice"]).status == 0)
        let token = try local(["token", "new", "--signer", "alice"]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)

        let port = Loopback.freePort()
        let server = try ChildProcess(
            CLI.binary.path,
            [
                "serve", "--ledger", team.folder.appending("team.sqlite").path, "--port", String(port), "--tls-cert",
                certificate.certificatePath, "--tls-key", certificate.keyPath, "--quiet",
            ])
        defer { Task { await server.kill() } }
        #expect(try await server.waitForOutput("greenlight serve: https://127.0.0.1:\(port)"), "\(server.output)")
        var env = team.env
        env["GREENLIGHT_LEDGER"] = "https://127.0.0.1:\(port)"
        env["GREENLIGHT_TOKEN"] = token
        let untrusted = try CLI.run(["ledger", "verify"], env: env, in: team.folder.url)
        #expect(untrusted.status == 2, "\(untrusted.all)")
        #expect(untrusted.stderr.lowercased().contains("certificate"), "\(untrusted.all)")
        env["GREENLIGHT_CA_FILE"] = certificate.certificatePath
        let trusted = try CLI.run(["ledger", "verify"], env: env, in: team.folder.url)
        #expect(trusted.status == 0, "\(trusted.all)")
        #expect(trusted.stdout.contains("intact"))

        let half = try CLI.run(["serve", "--tls-cert", certificate.certificatePath], in: team.folder.url)
        #expect(half.status == 2)
        #expect(half.stderr.contains("--tls-cert and --tls-key go together"))
    }
}
