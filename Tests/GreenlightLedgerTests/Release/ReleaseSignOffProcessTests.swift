import Foundation
import GRDB
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightLedger

/// Real sign-offs from other processes: `ledger-bench signoffs` records signed approvals through
/// ReleaseLedger.record(signOff:), as `greenlight signoff` does.
@Suite("Sign-offs from many processes, and from a killed one", .postgresServer, .serialized)
struct ReleaseSignOffProcessTests {
    /// A ledger with an admin key, `signers` signers whose private keys are in files beside it (signer-N
    /// signs for engineering when N is even, sre when odd) and a GO report requiring both.
    static func ledger(at location: String, folder: TemporaryFolder, signers: Int) async throws -> (
        ledger: ReleaseLedger, keys: [(file: String, role: String)]
    ) {
        let store = try await LedgerLocation(location).open()
        let ledger = ReleaseLedger(store: store)
        let admin = SigningKey.generate(name: "admin")
        try await ledger.initialize(admin: admin)
        var keys: [(file: String, role: String)] = []
        for index in 0..<signers {
            let key = SigningKey.generate(name: "signer-\(index)")
            let role = index % 2 == 0 ? "engineering" : "sre"
            let file = folder.appending("signer-\(index).key").path
            try key.write(privateTo: file, publicTo: folder.appending("signer-\(index).pub").path)
            try await ledger.addSigner(
                SignerRegistration.register(name: key.name, roles: [role], key: key.publicKey, admin: admin))
            keys.append((file, role))
        }
        try await ledger.record(report: ReleaseFixtures.report(), specRoles: ["sre"], forbidAuthorApproval: true)
        return (ledger, keys)
    }

    /// 8 processes × `each` sign-offs at once on the ledger at `location`: every one recorded, the chain
    /// intact under the ledger's signature rules, and the gate open. Takes the location so that another
    /// store (a postgres:// URL) can run the same test.
    static func concurrentSignOffs(location: String, folder: TemporaryFolder, each: Int) async throws {
        let (ledger, keys) = try await Self.ledger(at: location, folder: folder, signers: 8)
        let before = try await ledger.store.head().count
        #expect(before == 1 + 8 + 2)
        let bench = try ReleaseFixtures.bench()
        let children = try keys.map { key in
            try ChildProcess(bench, ["signoffs", location, key.file, "\(each)", ReleaseFixtures.release, key.role])
        }
        for child in children {
            let status = await child.wait()
            #expect(status == 0, "\(child.output)")
        }
        let head = try await ledger.store.head()
        #expect(head.count == before + 8 * each)
        #expect(try await ledger.store.verify(signatures: LedgerSignatures()) == .intact(head))
        let signOffs = try await ledger.history(release: ReleaseFixtures.release).filter { $0.kind == .signoff }
        #expect(signOffs.count == 8 * each)
        let bySigner = Dictionary(grouping: signOffs) { try? LedgerJSON.decode(SignOff.self, $0.payload).signer }
        #expect(bySigner.mapValues(\.count) == Dictionary(uniqueKeysWithValues: (0..<8).map { ("signer-\($0)", each) }))
        let decision = try await ledger.gate(release: ReleaseFixtures.release)
        #expect(decision.isOpen, "\(decision.missing)")
        #expect(decision.ignored == [])
        #expect(decision.approvals.map(\.signed.signOff.role) == ["engineering", "sre"])
    }

    @Test(
        "8 processes × 500 signed sign-offs at once: 4,000 recorded, the chain verifies, the gate opens",
        arguments: StoreKind.allCases)
    func concurrent(_ kind: StoreKind) async throws {
        let ledger = try await TestLedger.make(kind)
        defer { ledger.remove() }
        let keys = try TemporaryFolder()
        defer { keys.remove() }
        try await Self.concurrentSignOffs(location: ledger.text, folder: keys, each: 500)
    }

    @Test("kill -9 in the middle of a burst of signed sign-offs, 20 times: no partial record, the chain verifies")
    func killedSigner() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.appending("ledger.sqlite").path
        let (ledger, keys) = try await Self.ledger(at: path, folder: folder, signers: 2)
        let bench = try ReleaseFixtures.bench()
        var before = try await ledger.store.head().count
        for round in 0..<20 {
            let key = keys[round % 2]
            let child = try ChildProcess(bench, ["signoffs", path, key.file, "0", ReleaseFixtures.release, key.role])
            let started = try await child.waitForOutput("signing", seconds: 30)
            try await Task.sleep(for: .milliseconds(20 + (round * 37) % 150))
            await child.kill()
            try #require(started, "round \(round): \(child.output)")
            let store = try SQLiteLedgerStore(path: path)
            let head = try await store.head()
            #expect(head.count > before, "round \(round): the child recorded nothing")
            before = head.count
            #expect(try await store.verify(signatures: LedgerSignatures()) == .intact(head), "round \(round)")
        }
        let queue = try DatabaseQueue(path: path)
        let (rows, integrity) = try await queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM ledger_record"),
                try String.fetchOne(db, sql: "PRAGMA integrity_check")
            )
        }
        #expect(rows == before)
        #expect(integrity == "ok")
        // Every sign-off is whole: it reads back as a signed approval by signer-0 or signer-1.
        let signOffs = try await ledger.history(release: ReleaseFixtures.release).filter { $0.kind == .signoff }
        #expect(signOffs.count == before - 5)
        for record in signOffs {
            let signOff = try LedgerJSON.decode(SignOff.self, record.payload)
            #expect(["signer-0", "signer-1"].contains(signOff.signer) && record.signature != nil)
        }
        #expect(try await ledger.gate(release: ReleaseFixtures.release).isOpen)
    }
}
