import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightLedger

extension Greenlight {
    struct GateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gate",
            abstract: "Open only for the exact evidence people signed: the CI step before a deploy.",
            discussion: """
                Every decision, open or closed, is recorded in the ledger as a gate record of the release \
                (asked by $GREENLIGHT_ACTOR, else the CI's actor or $USER).

                Opens (exit 0) when the release's latest recorded report is GO, every role the spec and the \
                risk class require approved that exact report with a valid signature, no rejection stands, and \
                no waiver of the report has expired since; given the spec file, also that the spec has not \
                changed since that report was made from it. Otherwise prints each missing piece and exits 1. A \
                newer check run makes older approvals stale.

                  greenlight gate release.yaml
                  greenlight gate checkout@2.14.0 --ledger "$GREENLIGHT_LEDGER"
                  greenlight gate release.yaml --attest readiness.intoto.json \\
                      --artifact sha256:4f2a… --attest-key ci-attest

                --attest writes an in-toto Statement v1 about the artifact (predicate type \
                https://greenlight.dev/release-readiness/v1: the report digest, verdict, risk class and the \
                approvals with their signatures) in a DSSE envelope signed with --attest-key; only an open \
                gate writes one.

                Exit codes: 0 open, 1 closed, 2 invalid input or an unusable ledger.
                """
        )

        @Argument(help: ArgumentHelp("A spec file or a release (service@version).", valueName: "spec|release"))
        var target: String

        @OptionGroup var ledger: LedgerOptions

        @Option(help: ArgumentHelp("Write the in-toto attestation (DSSE envelope) here.", valueName: "file"))
        var attest: String?

        @Option(help: ArgumentHelp("The artifact the attestation is about.", valueName: "sha256:hex"))
        var artifact: String?

        @Option(help: ArgumentHelp("The artifact's name in the attestation (default: the release).", valueName: "name"))
        var artifactName: String?

        @Option(help: ArgumentHelp("The private key that signs the attestation.", valueName: "path"))
        var attestKey: String?

        @Option(help: ArgumentHelp("A risk policy file (when the target is a spec).", valueName: "file"))
        var policy: String?

        @Flag(help: "Print the decision as JSON.")
        var json = false

        func validate() throws {
            if attest != nil, artifact == nil || attestKey == nil {
                throw ValidationError("--attest needs --artifact sha256:HEX and --attest-key KEY.")
            }
            if attest == nil, artifact != nil || attestKey != nil || artifactName != nil {
                throw ValidationError("--artifact, --artifact-name and --attest-key go with --attest FILE.")
            }
            try OutputPath.checkFile(attest, option: "--attest")
        }

        func run() async throws {
            let target = try ReleaseTarget.resolve(self.target, policy: policy)
            let signing = try attestKey.map { try LedgerInput.readPrivateKey($0, option: "--attest-key") }
            let (decision, report) = try await ledger.with(besideSpec: target.specFile) { open in
                let decision = try await open.ledger.gate(release: target.release, specSHA256: target.spec?.sha256)
                // The release's trace shows every time a deploy asked, open or closed.
                try await open.ledger.record(gate: decision, by: Self.actor)
                let report = try decision.report.map { try open.ledger.report(in: $0.record) }
                return (decision, report)
            }
            if let attest, let signing, let artifact {
                if decision.isOpen, let report {
                    do {
                        let statement = try Attestation.statement(
                            artifactName: artifactName ?? target.release, artifactDigest: artifact, report: report,
                            approvals: decision.approvals.map { ($0.signed, $0.registration) })
                        let envelope = try Attestation.envelope(statement, signedWith: signing)
                        try Attestation.json(envelope).write(to: URL(fileURLWithPath: attest), options: .atomic)
                    } catch {
                        throw LedgerInput.usage("--attest: \(error)")
                    }
                }
            }
            if json {
                Terminal.out(LedgerInput.json(GateOutput(decision, attestation: decision.isOpen ? attest : nil)))
            } else {
                Terminal.out(Self.render(decision, attestation: decision.isOpen ? attest : nil, requested: attest))
            }
            if !decision.isOpen { throw ExitCode(ExitStatus.notReady) }
        }

        /// Who asked: the CI's actor when there is one, else the user.
        static var actor: String {
            let environment = ProcessInfo.processInfo.environment
            for name in ["GREENLIGHT_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "USER"] {
                if let value = environment[name], !value.isEmpty { return value }
            }
            return "unknown"
        }

        static func render(_ decision: GateDecision, attestation: String?, requested: String?) -> String {
            var lines = ["gate \(decision.release): \(decision.isOpen ? "OPEN" : "CLOSED")"]
            if let (record, entry) = decision.report {
                lines.append(
                    "  report \(entry.digest): \(entry.verdict), risk class \(entry.riskClass), recorded \(LedgerTime.string(record.time)) (record \(record.sequence))"
                )
                lines.append(
                    "  required: \(entry.requiredRoles.isEmpty ? "no sign-off" : entry.requiredRoles.joined(separator: ", "))"
                )
            }
            for approval in decision.approvals {
                let s = approval.signed.signOff
                lines.append(
                    "  ✓ \(s.role): \(s.signer) approved at \(s.signedAt), key \(approval.signed.keyID.prefix(16)) (record \(approval.sequence))"
                )
            }
            for missing in decision.missing { lines.append("  ✗ \(missing)") }
            for ignored in decision.ignored { lines.append("  · not counted: \(ignored)") }
            if let attestation {
                lines.append("  attestation written: \(attestation)")
            } else if requested != nil {
                lines.append("  no attestation written: the gate is closed")
            }
            return lines.joined(separator: "\n")
        }
    }
}

/// `gate --json`.
struct GateOutput: Encodable {
    var release: String
    var open: Bool
    var reportDigest: String?
    var verdict: String?
    var riskClass: String?
    var requiredRoles: [String]
    var approvals: [ApprovalOutput]
    var missing: [String]
    var ignored: [String]
    var attestation: String?

    struct ApprovalOutput: Encodable {
        var role: String
        var signer: String
        var signedAt: String
        var keyId: String
        var record: Int
    }

    init(_ decision: GateDecision, attestation: String?) {
        release = decision.release
        open = decision.isOpen
        reportDigest = decision.report?.entry.digest
        verdict = decision.report?.entry.verdict
        riskClass = decision.report?.entry.riskClass
        requiredRoles = decision.requiredRoles
        approvals = decision.approvals.map {
            ApprovalOutput(
                role: $0.signed.signOff.role, signer: $0.signed.signOff.signer, signedAt: $0.signed.signOff.signedAt,
                keyId: $0.signed.keyID, record: $0.sequence)
        }
        missing = decision.missing
        ignored = decision.ignored
        self.attestation = attestation
    }
}
