import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightLedger

extension Greenlight {
    struct SignOffCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "signoff",
            abstract: "Approve or reject a release's latest readiness report, signed with your key.",
            discussion: """
                Signs, with your Ed25519 key, who you are, the role, the decision, the comment, the time and \
                the digest of the release's latest recorded report, and records it in the ledger. You must be \
                registered for the role (`greenlight signer add`); when the spec sets \
                signoff.forbid_author_approval, the release's author cannot approve it. A rejection stands \
                until the same role approves a newer report.

                  greenlight signoff release.yaml --role sre --decision approve \\
                      --comment "dashboards, runbook ok"
                  greenlight signoff checkout@2.14.0 --role product --decision reject \\
                      --comment "copy not final" --key bob
                  greenlight signoff release.yaml --role sre --decision approve --key alice \\
                      --report sha256:4f2a…

                --report pins the report you reviewed: the sign-off is refused if the latest recorded report \
                is another one (a newer check ran, or someone appended a report since).

                The key is --key, else $GREENLIGHT_KEY: a private key file, or a name in the key folder.

                Exit codes: 0 recorded, 1 refused (no report, stale report, role not held, the author), \
                2 invalid input or an unusable ledger or key.
                """
        )

        @Argument(help: ArgumentHelp("A spec file or a release (service@version).", valueName: "spec|release"))
        var target: String

        @Option(help: ArgumentHelp("The role you sign for: engineering, product, sre…", valueName: "role"))
        var role: String

        @Option(help: ArgumentHelp("approve or reject.", valueName: "decision"))
        var decision: SignOff.Decision

        @Option(help: ArgumentHelp("Why; required for a rejection.", valueName: "text"))
        var comment: String = ""

        @Option(help: ArgumentHelp("Your private key file, or its name in the key folder.", valueName: "path"))
        var key: String?

        @Option(
            name: .customLong("report"),
            help: ArgumentHelp(
                "Sign only if the latest report is this one: the digest of the report you reviewed (report.json).",
                valueName: "sha256:hex"))
        var reportDigest: String?

        @Option(help: ArgumentHelp("A risk policy file (when the target is a spec).", valueName: "file"))
        var policy: String?

        @OptionGroup var ledger: LedgerOptions

        func validate() throws {
            if decision == .reject, comment.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("A rejection needs --comment saying what must change.")
            }
            if comment.count > 4000 { throw ValidationError("--comment is longer than 4,000 characters.") }
        }

        func run() async throws {
            guard let keyName = key ?? ProcessInfo.processInfo.environment["GREENLIGHT_KEY"], !keyName.isEmpty else {
                throw LedgerInput.usage(
                    "name your private key with --key (or GREENLIGHT_KEY); make one with greenlight key new NAME")
            }
            let signingKey = try LedgerInput.readPrivateKey(keyName, option: "--key")
            let target = try ReleaseTarget.resolve(self.target, policy: policy)
            try await ledger.with(besideSpec: target.specFile) { open in
                guard let (_, latest) = try await open.ledger.latestReport(release: target.release) else {
                    throw SignOffRefusal(
                        "no readiness report is recorded for \(target.release) in \(open.location): run greenlight check first"
                    )
                }
                if let reportDigest, reportDigest != latest.digest {
                    throw SignOffRefusal(
                        "you reviewed report \(reportDigest), but the latest report of \(target.release) is \(latest.digest) (\(latest.verdict), generated \(latest.generatedAt)); review that one"
                    )
                }
                let (signatures, _) = try await open.ledger.registry()
                guard let registration = signatures.registration(keyID: signingKey.keyID) else {
                    throw SignOffRefusal(
                        "key \(signingKey.publicKey.shortKeyID) (\(signingKey.name)) is not registered in \(open.location); the admin runs: greenlight signer add \(signingKey.name) --role \(role) --key \(signingKey.name).pub"
                    )
                }
                let signed = try SignOff(
                    signer: registration.name, role: role, decision: decision, comment: comment,
                    release: target.release, reportDigest: latest.digest
                ).signed(by: signingKey)
                let record = try await open.ledger.record(signOff: signed)
                let verb = decision == .approve ? "approves" : "rejects"
                Terminal.out(
                    "\(registration.name) \(verb) \(target.release) as \(role): report \(latest.digest) (\(latest.verdict)), signed with key \(signingKey.publicKey.shortKeyID); record \(record.sequence) of \(open.location)"
                )
            }
        }
    }
}

extension SignOff.Decision: ExpressibleByArgument {}
