import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightJSON
import GreenlightLedger

extension Greenlight {
    struct LedgerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ledger",
            abstract: "Create, verify and read the release ledger.",
            discussion: """
                The ledger records every readiness report, sign-off, waiver and signer, append-only; each \
                record carries the SHA-256 of the record before it, so an edit, a deletion, a reordering or a \
                forged signature is found by `ledger verify`.

                  greenlight ledger init                       create it and its admin key
                  greenlight ledger verify                     check every hash and signature
                  greenlight ledger show checkout@2.14.0       one release's history

                The ledger is a SQLite file (.greenlight/ledger.sqlite beside the spec by default) or a \
                PostgreSQL database for a team: --ledger postgres://user:pass@host/db, or GREENLIGHT_LEDGER.
                """,
            subcommands: [Init.self, Verify.self, Show.self]
        )

        struct Init: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create the ledger and record its admin key, which signs signer registrations.",
                discussion: """
                    Writes a new Ed25519 admin key pair (ledger-admin.key, mode 0600, and ledger-admin.pub in \
                    $GREENLIGHT_KEYS or ~/.greenlight/keys) unless --admin-key names an existing private key, \
                    and records its public half as the ledger's first record. Keep the private key safe: \
                    whoever holds it decides who may sign.

                      greenlight ledger init
                      greenlight ledger init --ledger postgres://greenlight@db.internal/releases \\
                          --admin-key ./admin.key

                    Exit codes: 0 created, 2 the ledger already has an admin key, or cannot be opened.
                    """
            )

            @OptionGroup var ledger: LedgerOptions

            @Option(
                name: .long,
                help: ArgumentHelp(
                    "The admin private key: used if it exists, else created there (default: <keys>/ledger-admin.key).",
                    valueName: "path"))
            var adminKey: String?

            func validate() throws { try ledger.checkNew() }

            func run() async throws {
                let path = adminKey ?? LedgerInput.keyFolder + "/ledger-admin.key"
                try await ledger.with(create: true) { open in
                    if let existing = try await open.ledger.adminKey() {
                        throw LedgerError(
                            .invalidRecord,
                            "\(open.location) already has an admin key (\(existing.name), key id \(existing.shortKeyID)); it is set once"
                        )
                    }
                    let key: SigningKey
                    var created = false
                    if FileManager.default.fileExists(atPath: path) {
                        key = try LedgerInput.readPrivateKey(path, option: "--admin-key")
                    } else {
                        key = SigningKey.generate(name: "ledger-admin")
                        do {
                            try KeyFolder.create(containing: path)
                            try key.write(privateTo: path, publicTo: KeyFolder.publicPath(for: path))
                        } catch {
                            throw LedgerInput.usage("\(error)")
                        }
                        created = true
                    }
                    let record = try await open.ledger.initialize(admin: key)
                    Terminal.out(
                        """
                        ledger \(open.location): created; admin key \(key.publicKey.shortKeyID) recorded (record \(record.sequence))
                        \(created ? "admin key written: \(path) (private, mode 0600) and \(KeyFolder.publicPath(for: path))" : "admin key read from \(path)")
                        Next: greenlight signer add NAME --role sre --key NAME.pub --admin-key \(path)
                        """)
                }
            }
        }

        struct Verify: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check the whole chain: every hash, link and signature.",
                discussion: """
                    Prints the number of records and the head hash when every record is as written (keep the \
                    head somewhere else: removing records from the end can only be seen against it), or names \
                    the first record that was edited, deleted, reordered or forged.

                    Exit codes: 0 intact, 1 tampered with, 2 the ledger cannot be opened or read.
                    """
            )

            @OptionGroup var ledger: LedgerOptions

            @Flag(help: "Print the result as JSON.")
            var json = false

            func run() async throws {
                let (result, location) = try await ledger.with { open in
                    (try await open.ledger.store.verify(signatures: LedgerSignatures()), open.location)
                }
                switch result {
                case .intact(let head):
                    if json {
                        Terminal.out(
                            LedgerInput.json(
                                VerifyOutput(ledger: location, intact: true, count: head.count, head: head.hash)))
                    } else {
                        Terminal.out(
                            "ledger \(location): intact, \(Format.count(head.count, "record")), head \(head.hash)")
                    }
                case .broken(let found):
                    if json {
                        Terminal.out(
                            LedgerInput.json(
                                VerifyOutput(
                                    ledger: location, intact: false, sequence: found.sequence,
                                    kind: found.kind?.rawValue, problem: found.problem.rawValue, detail: found.detail)))
                    } else {
                        Terminal.out("ledger \(location): TAMPERED: \(found)")
                    }
                    throw ExitCode(ExitStatus.notReady)
                }
            }

            struct VerifyOutput: Encodable {
                var ledger: String
                var intact: Bool
                var count: Int?
                var head: String?
                var sequence: Int?
                var kind: String?
                var problem: String?
                var detail: String?
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print one release's history: reports, waivers, sign-offs, rollout events.",
                discussion: """
                      greenlight ledger show checkout@2.14.0
                      greenlight ledger show release.yaml --json \\
                          | jq '.records[] | select(.kind == "signoff")'

                    Exit codes: 0 printed, 2 the ledger cannot be opened or holds nothing for the release.
                    """
            )

            @Argument(help: ArgumentHelp("A spec file or a release (service@version).", valueName: "spec|release"))
            var target: String

            @OptionGroup var ledger: LedgerOptions

            @Flag(help: "Print the history as JSON, each record with its payload.")
            var json = false

            func run() async throws {
                let target = try ReleaseTarget.resolve(self.target, policy: nil)
                let (records, location) = try await ledger.with(besideSpec: target.specFile) { open in
                    (try await open.ledger.history(release: target.release), open.location)
                }
                if records.isEmpty {
                    throw LedgerInput.usage("\(location) holds no record of \(target.release)")
                }
                if json {
                    let list: [JSONValue] = records.map { record in
                        .object([
                            ("sequence", .int(record.sequence)), ("kind", .string(record.kind.rawValue)),
                            ("time", .string(LedgerTime.string(record.time))), ("hash", .string(record.hash)),
                            ("signer_key_id", record.signature.map { .string($0.keyID) } ?? .null),
                            ("payload", record.payload),
                        ])
                    }
                    let document: JSONValue = .object([
                        ("release", .string(target.release)), ("ledger", .string(location)),
                        ("records", .array(list)),
                    ])
                    Terminal.out(document.serialized(pretty: true))
                    return
                }
                var lines = ["\(target.release) in \(location): \(Format.count(records.count, "record"))"]
                let width = String(records.last?.sequence ?? 0).count
                for record in records {
                    let number = String(record.sequence)
                    lines.append(
                        "  #\(number)\(String(repeating: " ", count: width - number.count))  \(LedgerTime.string(record.time))  \(record.kind.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(HistoryLine.summary(record))"
                    )
                }
                Terminal.out(lines.joined(separator: "\n"))
            }
        }
    }
}

/// One line per record for `ledger show`.
enum HistoryLine {
    static func summary(_ record: LedgerRecord) -> String {
        let p = record.payload
        func s(_ key: String) -> String {
            if case .string(let text)? = p[key] { return text }
            return "?"
        }
        // A digest's first 12 hex digits, as git shortens; `--json` has them whole.
        func short(_ key: String) -> String { String(s(key).prefix("sha256:".count + 12)) }
        switch record.kind {
        case .release:
            var text = "\(s("service")) \(s("version")), owner \(s("owner"))"
            if case .string(let author)? = p["author"] { text += ", author \(author)" }
            if case .string(let ticket)? = p["ticket"] { text += ", ticket \(ticket)" }
            return text
        case .report:
            var roles: [String] = []
            if case .array(let list)? = p["required_roles"] {
                roles = list.compactMap { if case .string(let r) = $0 { return r } else { return nil } }
            }
            return
                "\(s("verdict")) \(short("digest")), risk \(s("risk_class")), needs \(roles.isEmpty ? "no sign-off" : roles.joined(separator: ", "))"
        case .signoff:
            let comment = s("comment")
            return
                "\(s("signer")) \(s("decision"))s as \(s("role")) report \(short("report_digest"))\(comment.isEmpty ? "" : ": \(comment)")"
        case .waiver:
            return "\(s("check")) waived by \(s("approver")) until \(s("expires")): \(s("reason"))"
        case .rolloutEvent:
            func n(_ key: String) -> String {
                if case .int(let value)? = p[key] { return "\(value)%" }
                if case .double(let value)? = p[key] { return "\(Format.number(value))%" }
                return "?"
            }
            let reason = s("reason")
            return "\(s("action")) \(n("from")) → \(n("to")) by \(s("by"))\(reason == "?" ? "" : ": \(reason)")"
        case .gate:
            let open = p["open"] == .bool(true)
            var text = "\(open ? "OPEN" : "CLOSED") for report \(short("report_digest")), asked by \(s("by"))"
            if case .array(let missing)? = p["missing"], !missing.isEmpty {
                text += ": \(Format.count(missing.count, "piece")) missing"
            }
            return text
        default:
            return p.canonicalSerialized()
        }
    }
}

/// Where key files live.
enum KeyFolder {
    /// `alice.key` → `alice.pub`.
    static func publicPath(for privatePath: String) -> String {
        (privatePath.hasSuffix(".key") ? String(privatePath.dropLast(4)) : privatePath) + ".pub"
    }

    /// Creates the folder of `path` (mode 0700) when missing.
    static func create(containing path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
