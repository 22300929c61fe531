import Foundation
import GreenlightCore
import GreenlightLedger

/// The demo's last act: the report goes into a ledger, three demo signers (engineering, product, SRE)
/// sign off on its digest with their own Ed25519 keys, and the gate decides.
public enum DemoSignOff {
    /// The demo's signers and the role each signs for; the demo spec's `signoff.required` names these roles.
    public static let signers: [(name: String, role: String)] = [
        ("dana", "engineering"), ("priya", "product"), ("sam", "sre"),
    ]

    /// What the demo did in the ledger and what the gate said.
    public struct Outcome: Sendable {
        public var reportRecord: LedgerRecord
        public var signOffs: [LedgerRecord]
        public var decision: GateDecision
        /// The demo ledger's admin key, kept for the length of the run (`demo --serve` issues a token with it).
        public var admin: SigningKey
    }

    /// Records `report` in `store`, a new ledger: initialises it with a fresh admin key, registers the demo
    /// signers, has each approve the report when it is GO, and runs the gate.
    public static func run(report: Report, specRoles: [String], store: any LedgerStore) async throws -> Outcome {
        let ledger = ReleaseLedger(store: store)
        let admin = SigningKey.generate(name: "demo-admin")
        try await ledger.initialize(admin: admin)
        var keys: [String: SigningKey] = [:]
        for signer in signers {
            let key = SigningKey.generate(name: signer.name)
            keys[signer.name] = key
            try await ledger.addSigner(
                try SignerRegistration.register(
                    name: signer.name, roles: [signer.role], key: key.publicKey, admin: admin))
        }
        let record = try await ledger.record(report: report, specRoles: specRoles, forbidAuthorApproval: true)
        var signOffs: [LedgerRecord] = []
        if report.isGo {
            let digest = report.digest ?? report.computeDigest()
            let release = ReleaseLedger.name(service: report.release.service, version: report.release.version)
            for signer in signers {
                let signed = try SignOff(
                    signer: signer.name, role: signer.role, decision: .approve,
                    comment: "demo: \(signer.role) reviewed the readiness report", release: release,
                    reportDigest: digest
                ).signed(by: keys[signer.name]!)
                signOffs.append(try await ledger.record(signOff: signed))
            }
        }
        let decision = try await ledger.gate(
            release: ReleaseLedger.name(service: report.release.service, version: report.release.version))
        try await ledger.record(gate: decision, by: "greenlight demo")
        return Outcome(reportRecord: record, signOffs: signOffs, decision: decision, admin: admin)
    }
}
