import Crypto
import Foundation
import GRDB
import GreenlightJSON
import GreenlightTestSupport

@testable import GreenlightLedger

/// Ledgers for the tests: a fresh file in a temporary folder, filled with records of every kind.
enum LedgerFixtures {
    // Fixed seeds: the keys are values the tests can rebuild anywhere (the key type is not Sendable).
    static var alice: Curve25519.Signing.PrivateKey { key(1) }
    static var mallory: Curve25519.Signing.PrivateKey { key(2) }

    private static func key(_ seed: UInt8) -> Curve25519.Signing.PrivateKey {
        // A 32-byte seed is always a valid Ed25519 private key.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: seed, count: 32))
    }

    /// A verifier that knows one signer, alice, and checks Ed25519 signatures with swift-crypto.
    static var verifier: ClosureSignatureVerifier {
        let registered = ["alice": alice.publicKey]
        return ClosureSignatureVerifier { record in
            guard let signature = record.signature else { return .accepted }
            guard let key = registered[signature.keyID] else {
                return .rejected("signed by '\(signature.keyID)', who is not a registered signer")
            }
            // The key type is not Sendable: the deferred work rebuilds it from its bytes.
            let raw = key.rawRepresentation
            return .deferred {
                let valid = (try? Curve25519.Signing.PublicKey(rawRepresentation: raw))?
                    .isValidSignature(signature.bytes, for: record.signedContent)
                return valid == true ? .accepted : .rejected("the signature of '\(signature.keyID)' does not verify")
            }
        }
    }

    static func sign(
        _ kind: LedgerRecord.Kind, _ release: String?, _ payload: JSONValue, by key: Curve25519.Signing.PrivateKey,
        as keyID: String
    ) throws -> LedgerSignature {
        let content = LedgerRecord.signedContent(kind: kind, release: release, payload: payload)
        return LedgerSignature(keyID: keyID, bytes: try key.signature(for: content))
    }

    static func payload(_ index: Int) -> JSONValue {
        .object([
            ("comment", .string("entry \(index) — ünïcode \"quoted\"")), ("index", .int(index)),
            ("ratio", .double(Double(index) / 8)), ("tags", .array([.string("b"), .string("a"), .null, .bool(true)])),
        ])
    }

    /// A ledger of `count` records cycling through the kinds; record 4 is a sign-off signed by alice.
    static func ledger(_ folder: TemporaryFolder, count: Int = 10) async throws -> SQLiteLedgerStore {
        let store = try SQLiteLedgerStore(path: folder.appending("ledger/ledger.sqlite").path)
        try await fill(store, count: count)
        return store
    }

    /// Appends `count` records cycling through the kinds; record 4 is a sign-off signed by alice, the
    /// signer and admin-key records are ledger-wide, the others belong to shop@1.0.0, 1.1.0 or 1.2.0.
    static func fill(_ store: any LedgerStore, count: Int) async throws {
        let kinds = LedgerRecord.Kind.allCases
        for index in 1...count {
            let kind = index == 4 ? .signoff : kinds[(index - 1) % kinds.count]
            let release = kind == .signer || kind == .adminKey ? nil : "shop@1.\(index % 3).0"
            let payload = payload(index)
            let signature = index == 4 ? try sign(kind, release, payload, by: alice, as: "alice") : nil
            _ = try await store.append(kind: kind, release: release, payload: payload, signature: signature)
        }
    }

    /// Runs SQL on the ledger file through a connection of its own, as someone with the file would:
    /// with `dropTriggers`, after removing the append-only triggers.
    static func tamper(_ store: SQLiteLedgerStore, dropTriggers: Bool = true, _ sql: String) throws {
        let queue = try DatabaseQueue(path: store.path)
        try queue.writeWithoutTransaction { db in
            if dropTriggers {
                try db.execute(
                    sql: """
                        DROP TRIGGER IF EXISTS ledger_record_no_update;
                        DROP TRIGGER IF EXISTS ledger_record_no_delete;
                        """)
            }
            try db.execute(sql: sql)
        }
        try queue.close()
    }
}
