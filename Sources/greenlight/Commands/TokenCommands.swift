import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightLedger

extension Greenlight {
    struct TokenCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: "Issue, list and revoke personal tokens for the team server (greenlight serve).",
            subcommands: [New.self, List.self, Revoke.self]
        )

        struct New: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Issue a token for a registered signer, signed by the ledger's admin key.",
                discussion: """
                    The token is printed once and kept nowhere: the ledger records only its SHA-256, the \
                    signer it speaks for and its expiry, in a token record the admin key signs. Its roles are \
                    the signer's, from the signer registry, at the time of each call. Hand it to the signer, who \
                    sets GREENLIGHT_TOKEN; CI keeps one as a secret.

                      greenlight token new --signer alice
                      greenlight token new --signer ci --expires-in 90d --ledger postgres://…

                    Exit codes: 0 issued, 2 not a registered signer, not the admin key, or a bad option.
                    """
            )

            @Option(help: ArgumentHelp("The registered signer the token speaks for.", valueName: "name"))
            var signer: String

            @Option(
                help: ArgumentHelp(
                    "How long the token works: 30d, 12h, 90m (default: until revoked).", valueName: "duration"))
            var expiresIn: String?

            @OptionGroup var admin: AdminKeyOption

            @OptionGroup var ledger: LedgerOptions

            func validate() throws {
                guard LedgerInput.isIdentifier(signer) else {
                    throw ValidationError(
                        "The signer's name '\(signer)' must be ASCII letters, digits, '.', '_' or '-'.")
                }
                if let expiresIn, Self.seconds(expiresIn) == nil {
                    throw ValidationError(
                        "--expires-in '\(expiresIn)': give a whole number of days, hours or minutes, such as 90d, 12h or 30m."
                    )
                }
            }

            static func seconds(_ text: String) -> Double? {
                guard let unit = text.last, let count = Int(text.dropLast()), count > 0, count <= 36_500 * 24 * 60
                else { return nil }
                switch unit {
                case "d": return Double(count) * 86_400
                case "h": return Double(count) * 3_600
                case "m": return Double(count) * 60
                default: return nil
                }
            }

            func run() async throws {
                let admin = try admin.read()
                let expires = expiresIn.flatMap(Self.seconds).map { Date().addingTimeInterval($0) }
                try await ledger.with { open in
                    let (text, token, record) = try await open.ledger.issueToken(
                        signer: signer, admin: admin, expires: expires)
                    Terminal.error(
                        "token \(token.id) for \(signer)\(token.expiresAt.map { ", until \($0)" } ?? ", until revoked") (record \(record.sequence) of \(open.location)); it is shown once:"
                    )
                    Terminal.out(text)
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the tokens issued: id, signer, expiry.")

            @OptionGroup var ledger: LedgerOptions

            func run() async throws {
                try await ledger.with { open in
                    let registry = try await open.ledger.tokens()
                    var lines: [String] = []
                    let now = Date()
                    for token in registry.issued.values.sorted(by: { ($0.signer, $0.id) < ($1.signer, $1.id) }) {
                        let state =
                            token.revoked == true
                            ? "revoked" : token.hasExpired(at: now) ? "expired" : "live"
                        lines.append(
                            "\(token.id)  \(token.signer)  \(state)  issued \(token.issuedAt)\(token.expiresAt.map { ", expires \($0)" } ?? "")"
                        )
                    }
                    if lines.isEmpty { lines.append("no tokens issued: greenlight token new --signer NAME") }
                    for problem in registry.refused { lines.append("refused: \(problem)") }
                    Terminal.out(lines.joined(separator: "\n"))
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Revoke a token by its id (token list shows it); the server refuses it from its next call.")

            @Argument(help: ArgumentHelp("The token's id.", valueName: "id"))
            var id: String

            @OptionGroup var admin: AdminKeyOption

            @OptionGroup var ledger: LedgerOptions

            func run() async throws {
                let admin = try admin.read()
                try await ledger.with { open in
                    let record = try await open.ledger.revokeToken(id: id, admin: admin)
                    Terminal.out("token \(id) revoked (record \(record.sequence) of \(open.location))")
                }
            }
        }
    }
}
