import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

/// The team flow on the command line: check records, keys, signers, sign-offs, the gate, the attestation,
/// `ledger show` and `ledger verify`, in a folder of its own with its own key folder.
@Suite("The ledger, sign-off and gate commands", .serialized)
struct LedgerCommandTests {
    /// A spec that is GO without any server: every checklist item waived (until `expires`), low risk,
    /// engineering and SRE must sign, and carol is the author.
    static func spec(version: String = "2.0.0", owner: String = "team", expires: CalendarDate) -> String {
        let waivers = ["environment-parity", "load-testing", "monitoring-hooks", "rollback-plan"].map {
            """
                - item: \($0)
                  reason: fixture for the ledger tests
                  approver: dave
                  expires: \(expires)
            """
        }.joined(separator: "\n")
        return """
            version: 1
            service:
              name: shop
              version: "\(version)"
              owner: \(owner)
              author: carol
            risk:
              likelihood: 1
              impact: 1
            checklist:
              waivers:
            \(waivers)
            signoff:
              required: [engineering, sre]

            """
    }

    /// A folder with go.yaml, a key folder, and the ledger beside the spec (GREENLIGHT_LEDGER unset).
    struct Team {
        let folder: TemporaryFolder
        var env: [String: String] { ["GREENLIGHT_KEYS": folder.appending("keys").path, "GREENLIGHT_LEDGER": ""] }
        var ledgerPath: String { folder.appending(".greenlight/ledger.sqlite").path }

        init() throws {
            folder = try TemporaryFolder("gl-ledger-cli")
            try write(version: "2.0.0")
        }

        func write(version: String, owner: String = "team") throws {
            let expires = CalendarDate(Date().addingTimeInterval(10 * 86_400))
            try Data(LedgerCommandTests.spec(version: version, owner: owner, expires: expires).utf8).write(
                to: folder.appending("go.yaml"))
        }

        func run(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(arguments, env: env, in: folder.url)
        }
    }

    @Test("check records, signers sign with their own keys, the gate opens only for the signed report")
    func teamFlow() throws {
        let team = try Team()
        defer { team.folder.remove() }

        let check = try team.run(["check", "go.yaml", "-q"])
        #expect(check.status == 0, "\(check.all)")
        #expect(FileManager.default.fileExists(atPath: team.ledgerPath))
        let closed = try team.run(["gate", "go.yaml"])
        #expect(closed.status == 1, "\(closed.all)")
        #expect(closed.stdout.contains("gate shop@2.0.0: CLOSED"))
        #expect(closed.stdout.contains("✗ no approval by engineering of report sha256:"))
        #expect(closed.stdout.contains("✗ no approval by sre of report sha256:"))

        let initialised = try team.run(["ledger", "init"])
        #expect(initialised.status == 0, "\(initialised.all)")
        #expect(initialised.stdout.contains("ledger .greenlight/ledger.sqlite: created; admin key"))
        let again = try team.run(["ledger", "init"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already has an admin key"), "\(again.all)")

        for name in ["alice", "bob", "carol", "mallory"] {
            let key = try team.run(["key", "new", name])
            #expect(key.status == 0, "\(key.all)")
            let attributes = try FileManager.default.attributesOfItem(
                atPath: team.folder.appending("keys/\(name).key").path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            #expect(
                !key.all.contains(
                    try String(contentsOf: team.folder.appending("keys/\(name).key"), encoding: .utf8).split(
                        separator: "\n")[2]))
        }
        #expect(try team.run(["key", "new", "alice"]).stderr.contains("greenlight never overwrites a key file"))
        for (name, role) in [("alice", "engineering"), ("bob", "sre"), ("carol", "engineering")] {
            let added = try team.run(["signer", "add", name, "--role", role, "--key", name])
            #expect(added.status == 0, "\(added.all)")
            #expect(added.stdout.contains("signer \(name) registered for \(role)"))
        }

        let wrongRole = try team.run(["signoff", "go.yaml", "--role", "sre", "--decision", "approve", "--key", "alice"])
        #expect(wrongRole.status == 1)
        #expect(wrongRole.stderr.contains("alice is registered for engineering, not sre"), "\(wrongRole.all)")
        let author = try team.run([
            "signoff", "go.yaml", "--role", "engineering", "--decision", "approve", "--key", "carol",
        ])
        #expect(author.status == 1)
        #expect(author.stderr.contains("carol is the author of shop@2.0.0"), "\(author.all)")
        let stranger = try team.run([
            "signoff", "go.yaml", "--role", "sre", "--decision", "approve", "--key", "mallory",
        ])
        #expect(stranger.status == 1)
        #expect(stranger.stderr.contains("(mallory) is not registered"), "\(stranger.all)")

        let pinned = try team.run([
            "signoff", "go.yaml", "--role", "engineering", "--decision", "approve", "--key", "alice", "--report",
            "sha256:" + String(repeating: "0", count: 64),
        ])
        #expect(pinned.status == 1)
        #expect(pinned.stderr.contains("you reviewed report sha256:000"), "\(pinned.all)")
        let alice = try team.run([
            "signoff", "go.yaml", "--role", "engineering", "--decision", "approve", "--comment", "code reviewed",
            "--key", "alice",
        ])
        #expect(alice.status == 0, "\(alice.all)")
        #expect(alice.stdout.contains("alice approves shop@2.0.0 as engineering: report sha256:"))
        let bob = try team.run([
            "signoff", "shop@2.0.0", "--role", "sre", "--decision", "approve", "--key",
            team.folder.appending("keys/bob.key").path,
        ])
        #expect(bob.status == 0, "\(bob.all)")

        let open = try team.run(["gate", "go.yaml"])
        #expect(open.status == 0, "\(open.all)")
        #expect(open.stdout.contains("gate shop@2.0.0: OPEN"))
        #expect(open.stdout.contains("✓ engineering: alice approved"))
        #expect(open.stdout.contains("✓ sre: bob approved"))
        let json = try team.run(["gate", "shop@2.0.0", "--json"])
        let decision = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(decision?["open"] as? Bool == true)
        #expect(
            (decision?["approvals"] as? [[String: Any]])?.compactMap { $0["role"] as? String } == [
                "engineering", "sre",
            ])
        #expect(decision?["required_roles"] as? [String] == ["engineering", "sre"])

        let artifact = "sha256:" + String(repeating: "4f", count: 32)
        let attest = try team.run([
            "gate", "go.yaml", "--attest", "readiness.intoto.json", "--artifact", artifact, "--attest-key", "alice",
        ])
        #expect(attest.status == 0, "\(attest.all)")
        let envelope =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: team.folder.appending("readiness.intoto.json"))) as? [String: Any]
        #expect(envelope?["payloadType"] as? String == "application/vnd.in-toto+json")
        #expect((envelope?["signatures"] as? [[String: Any]])?.count == 1)
        // An independent reader (in-toto's Python bindings and `cryptography`) accepts what the command wrote.
        let alicePublic = try String(contentsOf: team.folder.appending("keys/alice.pub"), encoding: .utf8)
            .split(separator: "\n")[2]
        let reader = try CLI.python(
            InTotoReader.script,
            [
                team.folder.appending("readiness.intoto.json").path, String(alicePublic),
                String(repeating: "4f", count: 32), "https://greenlight.dev/release-readiness/v1",
            ])
        #expect(reader.stdout.contains("verified: 1 envelope signature, 2 approvals"), "\(reader.all)")

        // Given the spec, the gate also sees that the spec changed since the signed report was made.
        try team.write(version: "2.0.0", owner: "platform")
        let drifted = try team.run(["gate", "go.yaml"])
        #expect(drifted.status == 1)
        #expect(drifted.stdout.contains("✗ go.yaml changed since the latest report was made from it"), "\(drifted.all)")
        #expect(try team.run(["gate", "shop@2.0.0"]).status == 0)

        // A newer check makes both approvals stale; bob rejects the new report, and it stands.
        #expect(try team.run(["check", "go.yaml", "-q"]).status == 0)
        let stale = try team.run(["gate", "go.yaml"])
        #expect(stale.status == 1)
        #expect(stale.stdout.contains("✗ no approval by engineering of report"))
        #expect(stale.stdout.contains("not counted: alice's approve as engineering"))
        #expect(stale.stdout.contains("for an older report"))
        let reject = try team.run([
            "signoff", "go.yaml", "--role", "sre", "--decision", "reject", "--comment", "error budget spent",
            "--key", "bob",
        ])
        #expect(reject.status == 0, "\(reject.all)")
        let rejected = try team.run(["gate", "go.yaml"])
        #expect(rejected.stdout.contains("bob rejected as sre"))
        #expect(rejected.stdout.contains("error budget spent; it stands until sre approves a newer report"))
        let noAttest = try team.run([
            "gate", "go.yaml", "--attest", "closed.intoto.json", "--artifact", artifact, "--attest-key", "alice",
        ])
        #expect(noAttest.status == 1)
        #expect(!FileManager.default.fileExists(atPath: team.folder.appending("closed.intoto.json").path))

        let show = try team.run(["ledger", "show", "shop@2.0.0"])
        #expect(show.status == 0, "\(show.all)")
        #expect(show.stdout.contains("release       shop 2.0.0, owner team, author carol"))
        #expect(show.stdout.contains("release       shop 2.0.0, owner platform, author carol"))
        #expect(show.stdout.contains("signoff       bob rejects as sre report sha256:"))
        let showJSON = try team.run(["ledger", "show", "go.yaml", "--json"])
        let history = try JSONSerialization.jsonObject(with: Data(showJSON.stdout.utf8)) as? [String: Any]
        let kinds = (history?["records"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
        // Every gate run is in the trace, closed or open, between the records it read.
        #expect(
            kinds == [
                "release", "report", "waiver", "waiver", "waiver", "waiver", "gate", "signoff", "signoff", "gate",
                "gate", "gate", "gate", "gate", "release", "report", "gate", "signoff", "gate", "gate",
            ])
        #expect(show.stdout.contains("gate          CLOSED for report sha256:"), "\(show.stdout)")
        #expect(show.stdout.contains("gate          OPEN for report sha256:"), "\(show.stdout)")

        let verified = try team.run(["ledger", "verify"])
        #expect(verified.status == 0, "\(verified.all)")
        #expect(verified.stdout.contains("intact, 24 records, head "))
    }

    @Test("ledger verify names a sign-off edited in the file by hand, and exits 1")
    func tamperedByHand() throws {
        let team = try Team()
        defer { team.folder.remove() }
        #expect(try team.run(["check", "go.yaml", "-q"]).status == 0)
        #expect(try team.run(["ledger", "init"]).status == 0)
        #expect(try team.run(["key", "new", "bob"]).status == 0)
        #expect(try team.run(["signer", "add", "bob", "--role", "sre", "--key", "bob"]).status == 0)
        let signOff = try team.run([
            "signoff", "go.yaml", "--role", "sre", "--decision", "reject", "--comment", "not yet", "--key", "bob",
        ])
        #expect(signOff.status == 0, "\(signOff.all)")
        let edit = try CLI.runProgram(
            "/usr/bin/sqlite3",
            [
                team.ledgerPath,
                "DROP TRIGGER ledger_record_no_update; UPDATE ledger_record SET payload = replace(payload, 'not yet', 'fine') WHERE kind = 'signoff';",
            ])
        #expect(edit.status == 0, "\(edit.all)")
        let verify = try team.run(["ledger", "verify"])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("TAMPERED: record 9 (signoff) edited"), "\(verify.all)")
        let json = try team.run(["ledger", "verify", "--json"])
        let result = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(result?["intact"] as? Bool == false)
        #expect(result?["sequence"] as? Int == 9)
        #expect(result?["problem"] as? String == "edited")
        // The gate does not count what no longer matches its hash.
        let gate = try team.run(["gate", "go.yaml"])
        #expect(gate.stdout.contains("not counted: record 9: no longer matches its hash"), "\(gate.all)")
    }

    @Test("bad input exits 2 with the reason; reading commands never create a ledger")
    func badInput() throws {
        let team = try Team()
        defer { team.folder.remove() }
        let cases: [([String], String)] = [
            (["gate", "nonsense"], "'nonsense' is neither a spec file nor a release written service@version"),
            (["gate", "go.yaml"], "there is no ledger at .greenlight/ledger.sqlite"),
            (["ledger", "verify"], "there is no ledger at .greenlight/ledger.sqlite"),
            (["ledger", "show", "shop@2.0.0"], "there is no ledger at .greenlight/ledger.sqlite"),
            (["signoff", "go.yaml", "--role", "sre", "--decision", "approve"], "name your private key with --key"),
            (["signoff", "go.yaml", "--role", "sre", "--decision", "maybe", "--key", "x"], "maybe"),
            (
                ["signoff", "go.yaml", "--role", "sre", "--decision", "reject", "--key", "x"],
                "A rejection needs --comment"
            ),
            (
                ["signoff", "go.yaml", "--role", "sre", "--decision", "approve", "--key", "nobody"],
                "--key: cannot read key file"
            ),
            (["gate", "go.yaml", "--attest", "a.json"], "--attest needs --artifact sha256:HEX and --attest-key KEY"),
            (["key", "new", "../evil"], "must be 1-64 letters"),
            (["signer", "add", "bob", "--key", "bob"], "Name at least one --role"),
            (["signer", "add", "bob", "--role", "S R E", "--key", "bob"], "The role 'S R E' must be"),
        ]
        for (arguments, message) in cases {
            let r = try team.run(arguments)
            #expect(r.status == 2, "\(arguments): \(r.all)")
            #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
            #expect(!r.all.contains("Fatal error"), "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: team.ledgerPath))
        let noRecord = try team.run(["check", "go.yaml", "-q", "--no-record"])
        #expect(noRecord.status == 0)
        #expect(!FileManager.default.fileExists(atPath: team.ledgerPath))
        let elsewhere = team.folder.appending("team.sqlite").path
        #expect(
            try CLI.run(["check", "go.yaml", "-q"], env: ["GREENLIGHT_LEDGER": elsewhere], in: team.folder.url).status
                == 0)
        #expect(FileManager.default.fileExists(atPath: elsewhere))
        #expect(!FileManager.default.fileExists(atPath: team.ledgerPath))
    }
}

/// The same commands on a team's PostgreSQL ledger (a throwaway cluster), named by GREENLIGHT_LEDGER.
@Suite("The ledger commands on PostgreSQL", .postgresServer, .serialized)
struct LedgerPostgresCommandTests {
    @Test("check records into PostgreSQL, the signers sign, the gate opens, and the password is never shown")
    func teamLedger() throws {
        let server = try #require(PostgresServer.current)
        let folder = try TemporaryFolder("gl-ledger-pg")
        defer { folder.remove() }
        let expires = CalendarDate(Date().addingTimeInterval(10 * 86_400))
        try Data(LedgerCommandTests.spec(expires: expires).utf8).write(to: folder.appending("go.yaml"))
        let env = ["GREENLIGHT_KEYS": folder.appending("keys").path, "GREENLIGHT_LEDGER": server.url]
        func run(_ arguments: [String]) throws -> CLI.Result {
            let r = try CLI.run(arguments, env: env, in: folder.url)
            #expect(!r.all.contains(server.password), "\(arguments): the password was shown")
            return r
        }
        let check = try run(["check", "go.yaml"])
        #expect(check.status == 0, "\(check.all)")
        #expect(
            check.stderr.contains("in postgres://greenlight:***@127.0.0.1:\(server.port)/postgres (record 2)"),
            "\(check.stderr)")
        #expect(try run(["ledger", "init"]).status == 0)
        for (name, role) in [("alice", "engineering"), ("bob", "sre")] {
            #expect(try run(["key", "new", name]).status == 0)
            #expect(try run(["signer", "add", name, "--role", role, "--key", name]).status == 0)
            let signed = try run(["signoff", "go.yaml", "--role", role, "--decision", "approve", "--key", name])
            #expect(signed.status == 0, "\(signed.all)")
        }
        let gate = try run(["gate", "shop@2.0.0"])
        #expect(gate.status == 0, "\(gate.all)")
        #expect(gate.stdout.contains("gate shop@2.0.0: OPEN"))
        let verify = try run(["ledger", "verify"])
        #expect(verify.status == 0 && verify.stdout.contains("intact, 12 records"), "\(verify.all)")
        // No file ledger appeared beside the spec.
        #expect(!FileManager.default.fileExists(atPath: folder.appending(".greenlight").path))

        let wrong = try CLI.run(
            ["ledger", "verify", "--ledger", server.url(password: "wrong-Secret-99")], env: env, in: folder.url)
        #expect(wrong.status == 2)
        #expect(!wrong.all.contains("wrong-Secret-99"), "\(wrong.all)")
        #expect(wrong.stderr.contains("***"), "\(wrong.stderr)")
        let refused = try CLI.run(
            [
                "gate", "shop@2.0.0", "--ledger",
                "postgres://greenlight:pw-Secret-1@127.0.0.1:1/postgres?sslmode=disable",
            ],
            env: env, in: folder.url)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("127.0.0.1:1"), "\(refused.stderr)")
        #expect(!refused.all.contains("pw-Secret-1"))
    }
}
