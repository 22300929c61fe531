import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightLedger

extension Greenlight {
    struct KeyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "key",
            abstract: "Make the Ed25519 key pair you sign with.",
            subcommands: [New.self]
        )

        struct New: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write a new Ed25519 key pair: NAME.key (private, mode 0600) and NAME.pub.",
                discussion: """
                    The private key stays on your machine and is never printed; give NAME.pub to the ledger's \
                    admin, who registers it with `greenlight signer add`. Keys go to --dir, else \
                    $GREENLIGHT_KEYS, else ~/.greenlight/keys. An existing key file is never overwritten.

                      greenlight key new alice
                      greenlight key new ci-attest --dir ./keys

                    Exit codes: 0 written, 2 the name is unusable or a key file exists.
                    """
            )

            @Argument(help: ArgumentHelp("The key's name, usually yours.", valueName: "name"))
            var name: String

            @Option(help: ArgumentHelp("The folder to write the key files in.", valueName: "dir"))
            var dir: String?

            func validate() throws {
                guard !name.isEmpty, name.count <= 64,
                    name.unicodeScalars.allSatisfy({
                        CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0)
                    }), !name.hasPrefix(".")
                else {
                    throw ValidationError(
                        "The key name '\(name)' must be 1-64 letters, digits, '-', '_' or '.', not starting with '.'.")
                }
                try OutputPath.checkFolder(dir, option: "--dir", files: [name + ".key", name + ".pub"])
            }

            func run() async throws {
                let folder = dir ?? LedgerInput.keyFolder
                let privatePath = folder + "/" + name + ".key"
                let key = SigningKey.generate(name: name)
                do {
                    try KeyFolder.create(containing: privatePath)
                    try key.write(privateTo: privatePath, publicTo: KeyFolder.publicPath(for: privatePath))
                } catch {
                    throw LedgerInput.usage("\(error)")
                }
                Terminal.out(
                    """
                    key \(name): key id \(key.publicKey.shortKeyID)
                      private \(privatePath) (mode 0600; keep it, never share it)
                      public  \(KeyFolder.publicPath(for: privatePath)) (give it to the ledger's admin)
                    """)
            }
        }
    }

    struct SignerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "signer",
            abstract: "Register who may sign for which roles.",
            subcommands: [Add.self, List.self]
        )

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a signer's public key for roles, signed by the ledger's admin key.",
                discussion: """
                    Registering a name again replaces its key and roles: the old key can no longer sign.

                      greenlight signer add alice --role sre --key alice.pub
                      greenlight signer add bob --role engineering --role product --key bob.pub

                    Exit codes: 0 registered, 2 a key cannot be read or the ledger has no admin key.
                    """
            )

            @Argument(help: ArgumentHelp("The signer's name, as sign-offs will show it.", valueName: "name"))
            var name: String

            @Option(
                name: .customLong("role"),
                help: ArgumentHelp("A role the signer may sign for (repeat for several): engineering, product, sre…"))
            var roles: [String] = []

            @Option(
                help: ArgumentHelp("The signer's public key file (or a name in the key folder).", valueName: "path"))
            var key: String

            @OptionGroup var admin: AdminKeyOption

            @OptionGroup var ledger: LedgerOptions

            func validate() throws {
                guard !roles.isEmpty else { throw ValidationError("Name at least one --role.") }
                for role in roles where !LedgerInput.isIdentifier(role) {
                    throw ValidationError(
                        "The role '\(role)' must be ASCII letters, digits, '.', '_' or '-', such as sre.")
                }
                guard LedgerInput.isIdentifier(name) else {
                    throw ValidationError(
                        "The signer's name '\(name)' must be ASCII letters, digits, '.', '_' or '-', such as alice.")
                }
            }

            func run() async throws {
                let publicKey = try LedgerInput.readPublicKey(key, option: "--key")
                let admin = try admin.read()
                try await ledger.with { open in
                    let registration = try SignerRegistration.register(
                        name: name, roles: roles, key: publicKey, admin: admin)
                    let record = try await open.ledger.addSigner(registration)
                    Terminal.out(
                        "signer \(name) registered for \(roles.joined(separator: ", ")) with key \(publicKey.shortKeyID) (record \(record.sequence) of \(open.location))"
                    )
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the registered signers and their roles.")

            @OptionGroup var ledger: LedgerOptions

            func run() async throws {
                try await ledger.with { open in
                    let (signatures, refused) = try await open.ledger.registry()
                    var lines: [String] = []
                    if let admin = signatures.adminKey {
                        lines.append("admin key \(admin.shortKeyID) (\(admin.name))")
                    } else {
                        lines.append("no admin key: run greenlight ledger init")
                    }
                    for (name, registration) in signatures.signers.sorted(by: { $0.key < $1.key }) {
                        lines.append(
                            "  \(name): \(registration.roles.joined(separator: ", ")), key \(registration.keyID.prefix(16)), registered \(registration.registeredAt)"
                        )
                    }
                    for problem in refused { lines.append("  refused: \(problem)") }
                    Terminal.out(lines.joined(separator: "\n"))
                }
            }
        }
    }
}

extension LedgerOptions {
    /// Opens the ledger beside `specFile`, runs `body`, closes it; errors print and exit 2 (refusals 1).
    func with<T>(
        besideSpec specFile: String? = nil, create: Bool = false, _ body: (OpenLedger) async throws -> T
    ) async throws -> T {
        let open = try await self.open(besideSpec: specFile, create: create)
        do {
            let result = try await body(open)
            await open.close()
            return result
        } catch let refusal as SignOffRefusal {
            await open.close()
            Terminal.error("greenlight: refused: \(refusal)")
            throw ExitCode(ExitStatus.notReady)
        } catch {
            await open.close()
            throw LedgerInput.fail(error)
        }
    }
}
