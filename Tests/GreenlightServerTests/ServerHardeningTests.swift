import Foundation
import GreenlightCanary
import GreenlightJSON
import GreenlightTestSupport
import NIOHTTP1
import Testing

@testable import GreenlightCore
@testable import GreenlightLedger

/// What a second read of the server found, each as a test: replays that would revive a token or an old
/// registration, records whose content says more than the server allows, and inputs that would crash or
/// bloat it.
@Suite("The team server against replays and forged records")
struct ServerHardeningTests {
    static func post(_ setup: ServerSetup, _ record: LedgerRecord, token: String?) async throws -> APIAnswer {
        var members: [(String, JSONValue)] = [
            ("kind", .string(record.kind.rawValue)), ("payload", .string(record.payload.canonicalSerialized())),
        ]
        if let release = record.release { members.append(("release", .string(release))) }
        if let signature = record.signature { members.append(("signature", signature.wireJSON)) }
        return try await setup.call(.POST, "/api/v1/ledger/records", token: token, json: .object(members))
    }

    @Test("a revoked token's issuance sent again does not revive it (409), nor does one appended by hand")
    func tokenReplay() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let sam = try #require(setup.tokens["sam"])
        let issued = try #require(
            try await setup.ledger.store.allRecords(release: nil, kind: .token).first {
                $0.payload["signer"] == .string("sam")
            })
        let id = try #require(try await setup.ledger.tokens().byHash[AccessToken.digest(of: sam)]?.id)
        try await setup.ledger.revokeToken(id: id, admin: setup.admin)
        #expect(try await setup.call(.GET, "/api/v1/signers", token: sam).status == 401)
        let replay = try await Self.post(setup, issued, token: setup.tokens["erin"])
        #expect(replay.status == 409, "\(replay.text)")
        // Appended past the server, straight into the store: the registry still ignores a second issue.
        _ = try await setup.ledger.store.append(
            kind: .token, release: nil, payload: issued.payload, signature: issued.signature)
        #expect(try await setup.call(.GET, "/api/v1/signers", token: sam).status == 401)
    }

    @Test("an old signer registration sent again does not restore a dropped role (409); by hand it is refused")
    func registrationReplay() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let old = try #require(
            try await setup.ledger.store.allRecords(release: nil, kind: .signer).first {
                $0.payload["name"] == .string("sam")
            })
        let key = try #require(setup.keys["sam"])
        try await setup.ledger.addSigner(
            SignerRegistration.register(
                name: "sam", roles: ["product"], key: key.publicKey, at: Date(), admin: setup.admin))
        let replay = try await Self.post(setup, old, token: setup.tokens["sam"])
        #expect(replay.status == 409, "\(replay.text)")
        _ = try await setup.ledger.store.append(
            kind: .signer, release: nil, payload: old.payload, signature: old.signature)
        let (signatures, refused) = try await ReleaseLedger(store: setup.ledger.store).registry()
        #expect(signatures.signers["sam"]?.roles == ["product"])
        #expect(refused.count == 1 && refused[0].contains("(signer)"), "\(refused)")
    }

    @Test("a report record whose entry says GO for a NO-GO report is refused (422); a forged gate is replaced")
    func forgedRecords() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let report = ServerSetup.report(go: false)
        var entry = ReportEntry(report: report, specRoles: ["sre"], forbidAuthorApproval: true)
        entry.verdict = "GO"
        entry.requiredRoles = []
        let payload = try entry.payload(report: report)
        let forged = LedgerRecord(
            sequence: 0, kind: .report, release: ServerSetup.release, time: Date(), payload: payload,
            previousHash: "", hash: "", signature: nil)
        let refused = try await Self.post(setup, forged, token: setup.tokens["erin"])
        #expect(refused.status == 422, "\(refused.text)")
        #expect(refused.detail.contains("not the one its report makes"))

        try await setup.recordReport(go: false)
        let gate = LedgerRecord(
            sequence: 0, kind: .gate, release: ServerSetup.release, time: Date(),
            payload: .object([("open", .bool(true)), ("by", .string("ci")), ("missing", .array([]))]),
            previousHash: "", hash: "", signature: nil)
        let recorded = try await Self.post(setup, gate, token: setup.tokens["erin"])
        #expect(recorded.status == 201, "\(recorded.text)")
        #expect(recorded.json?["payload"]?["open"] == .bool(false))
        #expect(recorded.json?["payload"]?["by"] == .string("erin"))

        let approval = LedgerRecord(
            sequence: 0, kind: .rolloutEvent, release: ServerSetup.release, time: Date(),
            payload: .object([
                ("action", .string("approval")), ("by", .string("erin")), ("from", .int(5)), ("to", .int(5)),
                ("reason", .string("approved")),
            ]), previousHash: "", hash: "", signature: nil)
        let inAnotherName = try await Self.post(setup, approval, token: setup.tokens["sam"])
        #expect(inAnotherName.status == 403, "\(inAnotherName.text)")
    }

    @Test("a huge after is a 400, a body over 8 MiB a 413, and random paths do not grow /metrics")
    func inputs() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let token = setup.tokens["sam"]
        let overflow = try await setup.call(
            .GET, "/api/v1/ledger/records?after=9223372036854775807", token: token)
        #expect(overflow.status == 400, "\(overflow.text)")
        #expect(try await setup.call(.GET, "/healthz", token: nil).status == 200)
        let huge = String(repeating: "x", count: 9 << 20)
        let tooLarge = try await setup.call(.POST, "/api/v1/alerts", token: token, body: huge)
        #expect(tooLarge.status == 413)
        for n in 0..<20 { _ = try await setup.call(.GET, "/api/v1/nothing-\(n)/here", token: token) }
        let metrics = try await setup.call(.GET, "/metrics", token: nil)
        #expect(!metrics.text.contains("nothing-"))
        #expect(metrics.text.contains(#"route="other""#))
    }

    @Test("the remote ledger refuses a page whose records do not follow each other, and records not asked for")
    func remoteStoreChecks() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteLedgerStore(path: folder.appending("ledger.sqlite").path)
        for n in 1...3 {
            _ = try await store.append(kind: .release, release: "shop@1.0.\(n)", payload: .object([("n", .int(n))]))
        }
        let all = try await store.records(from: 1, limit: 3)
        func page(_ records: [LedgerRecord]) -> String {
            JSONValue.object([("records", .array(records.map(\.wireJSON)))]).serialized()
        }
        // A server that leaves record 2 out of the chain, then one that answers another release's records.
        let bodies = [page([all[0], all[2]]), page([all[1]])]
        let receiver = try await RecordingReceiver { index in
            RecordingReceiver.Answer(
                status: 200, headers: [("Content-Type", "application/json")], body: bodies[min(index, 1)])
        }
        defer { Task { await receiver.shutdown() } }
        let remote = RemoteLedgerStore(base: URL(string: receiver.url)!, token: "glt_test")
        await #expect(throws: LedgerError.self) { try await remote.records(from: 1, limit: 10) }
        do {
            _ = try await remote.records(release: "shop@9.9.9", kind: nil, after: 0, limit: 10)
            Issue.record("a record of another release was taken")
        } catch let error as LedgerError {
            #expect(error.message.contains("not one asked for"), "\(error)")
        }
        // The well-formed page reads.
        #expect(try await RemoteLedgerStore.record(all[1].wireJSON) == all[1])
    }
}
