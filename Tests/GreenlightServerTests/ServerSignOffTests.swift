import Foundation
import GreenlightJSON
import NIOHTTP1
import Testing

@testable import GreenlightLedger

/// Sign-offs through the API: signed on the signer's machine, verified and recorded by the server; a
/// tampered, replayed, stale or someone else's sign-off refused with a 4xx that says why.
@Suite("Sign-offs through the team server")
struct ServerSignOffTests {
    static let path = "/api/v1/releases/checkout@2.14.0/signoffs"

    @Test("the signers approve through the API, the gate opens, and the decision is recorded when asked to")
    func approveAndGate() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let digest = try await setup.recordReport()
        let closed = try await setup.call(.GET, "/api/v1/releases/checkout@2.14.0/gate", token: setup.tokens["pat"])
        #expect(closed.status == 200)
        #expect(closed.json?["open"] == .bool(false))

        for (name, role) in [("erin", "engineering"), ("sam", "sre")] {
            let answer = try await setup.call(
                .POST, Self.path, token: setup.tokens[name],
                json: try ServerSetup.json(setup.signOff(name, role, digest)))
            #expect(answer.status == 201, "\(answer.text)")
            #expect(answer.json?["kind"] == .string("signoff"))
        }
        let list = try await setup.call(.GET, Self.path, token: setup.tokens["pat"])
        guard case .array(let items)? = list.json?["signoffs"] else {
            Issue.record("no list: \(list.text)")
            return
        }
        #expect(items.count == 2)

        let open = try await setup.call(.POST, "/api/v1/releases/checkout@2.14.0/gate", token: setup.tokens["sam"])
        #expect(open.status == 200, "\(open.text)")
        #expect(open.json?["open"] == .bool(true))
        let history = try await setup.ledger.history(release: ServerSetup.release)
        #expect(history.last?.kind == .gate)
        #expect(history.last?.payload["by"] == .string("sam"))

        let detail = try await setup.call(.GET, "/api/v1/releases/checkout@2.14.0", token: setup.tokens["pat"])
        #expect(detail.status == 200, "\(detail.text)")
        #expect(detail.json?["summary"]?["gate"] == .string("open"))
        #expect(detail.json?["summary"]?["ticket"] == .string("https://github.com/acme/checkout/issues/42"))
        guard case .array(let checks)? = detail.json?["checks"] else {
            Issue.record("no checks: \(detail.text)")
            return
        }
        #expect(checks.first?["id"] == .string("smoke.sign-in"))
        let releases = try await setup.call(.GET, "/api/v1/releases", token: setup.tokens["pat"])
        guard case .array(let listed)? = releases.json?["releases"] else {
            Issue.record("no releases: \(releases.text)")
            return
        }
        #expect(listed.first?["verdict"] == .string("GO"), "\(releases.text)")
        let report = try await setup.call(.GET, "/api/v1/releases/checkout@2.14.0/report", token: setup.tokens["pat"])
        #expect(report.json?["digest"] == .string(digest), "\(report.text.prefix(300))")
        #expect(
            try await setup.call(.GET, "/api/v1/releases/nope@1.0.0/report", token: setup.tokens["pat"]).status == 404)
    }

    @Test("tampered, replayed, stale and someone else's sign-offs are refused with a 4xx that says why")
    func refusals() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let first = try await setup.recordReport()

        // Tampered: the comment changed after signing.
        var tampered = try ServerSetup.json(setup.signOff("sam", "sre", first))
        if case .object(var members) = tampered, let index = members.firstIndex(where: { $0.0 == "sign_off" }),
            case .object(var signOff) = members[index].1, let comment = signOff.firstIndex(where: { $0.0 == "comment" })
        {
            signOff[comment].1 = .string("looks fine to me")
            members[index].1 = .object(signOff)
            tampered = .object(members)
        }
        let bad = try await setup.call(.POST, Self.path, token: setup.tokens["sam"], json: tampered)
        #expect(bad.status == 422, "\(bad.text)")
        #expect(bad.detail.contains("does not verify"))

        // Someone else's sign-off sent with my token.
        let others = try await setup.call(
            .POST, Self.path, token: setup.tokens["pat"], json: try ServerSetup.json(setup.signOff("sam", "sre", first))
        )
        #expect(others.status == 403)
        #expect(others.detail.contains("each signer sends their own"))

        // A role the signer does not hold.
        let role = try await setup.call(
            .POST, Self.path, token: setup.tokens["pat"],
            json: try ServerSetup.json(setup.signOff("pat", "sre", first)))
        #expect(role.status == 403 || role.status == 422, "\(role.text)")
        #expect(role.detail.contains("registered for product"))

        // Recorded once; the same bytes again are a replay.
        let signed = try ServerSetup.json(setup.signOff("sam", "sre", first))
        #expect(try await setup.call(.POST, Self.path, token: setup.tokens["sam"], json: signed).status == 201)
        let replay = try await setup.call(.POST, Self.path, token: setup.tokens["sam"], json: signed)
        #expect(replay.status == 409)
        #expect(replay.detail.contains("already recorded"))

        // Stale: a newer report was recorded since.
        try await setup.recordReport(generatedAt: "2031-10-13T08:00:00Z")
        let stale = try await setup.call(
            .POST, Self.path, token: setup.tokens["erin"],
            json: try ServerSetup.json(setup.signOff("erin", "engineering", first)))
        #expect(stale.status == 409, "\(stale.text)")
        #expect(stale.detail.contains("stale"))

        // Sent to another release's sign-offs.
        let elsewhere = try await setup.call(
            .POST, "/api/v1/releases/checkout@9.9.9/signoffs", token: setup.tokens["sam"], json: signed)
        #expect(elsewhere.status == 400)

        // Not JSON, and JSON of the wrong shape.
        let garbage = try await setup.call(.POST, Self.path, token: setup.tokens["sam"], body: "{not json")
        #expect(garbage.status == 400)
        let shape = try await setup.call(.POST, Self.path, token: setup.tokens["sam"], body: #"{"sign_off": 3}"#)
        #expect(shape.status == 400)
        #expect(shape.detail.contains("sign_off") || shape.detail.contains("missing"), "\(shape.text)")

        // Nothing refused was recorded: two reports' records, one sign-off.
        let kinds = try await setup.ledger.history(release: ServerSetup.release).map(\.kind)
        #expect(kinds.filter { $0 == .signoff }.count == 1)
    }
}
