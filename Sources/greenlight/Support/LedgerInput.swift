import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightLedger

/// `--ledger`, shared by every command that reads or writes the release ledger.
struct LedgerOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The ledger: a SQLite file, a postgres:// URL or a team server's https:// URL with $GREENLIGHT_TOKEN (default: $GREENLIGHT_LEDGER, else .greenlight/ledger.sqlite beside the spec, or in the current folder).",
            valueName: "path|url"))
    var ledger: String?

    /// What the user named, or the default beside `specFile` (or in the current folder).
    func location(besideSpec specFile: String?) -> String {
        if let ledger, !ledger.isEmpty { return ledger }
        if let fromEnvironment = ProcessInfo.processInfo.environment["GREENLIGHT_LEDGER"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        let folder = specFile.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? "."
        return LedgerInput.relative(folder + "/.greenlight/ledger.sqlite")
    }

    /// Refuses a `--ledger` file that could not be created, before any work starts (a URL is the
    /// server's business).
    func checkNew() throws {
        if let ledger, !LedgerInput.isURL(ledger) { try OutputPath.checkFile(ledger, option: "--ledger") }
    }

    /// Opens the ledger; exits 2 with the reason when it cannot be opened. Only `create` makes a new
    /// SQLite file: a command that reads the ledger must not leave an empty one behind a typo.
    func open(besideSpec specFile: String? = nil, create: Bool = false) async throws -> OpenLedger {
        let location = location(besideSpec: specFile)
        if create, !LedgerInput.isURL(location), let problem = PathCheck.fileProblem(location) {
            throw LedgerInput.usage("--ledger: \(problem)")
        }
        if !create, !LedgerInput.isURL(location), !FileManager.default.fileExists(atPath: location) {
            throw LedgerInput.usage(
                "there is no ledger at \(location): greenlight check records the first report there, or run greenlight ledger init"
            )
        }
        do {
            let place = try LedgerLocation(location)
            return OpenLedger(ledger: ReleaseLedger(store: try await place.open()), location: place.description)
        } catch {
            throw LedgerInput.fail(error)
        }
    }
}

/// An open ledger and how to name it to the user (a URL's password masked).
struct OpenLedger {
    var ledger: ReleaseLedger
    var location: String

    func close() async { await ledger.store.close() }
}

/// What a command's `SPEC_OR_RELEASE` argument names.
struct ReleaseTarget {
    /// `service@version`.
    var release: String
    /// The spec and its policy, when a spec file was given.
    var spec: ReleaseSpec?
    var policy: RiskPolicy?
    var specFile: String?

    /// A spec file (read and validated) or `service@version`.
    static func resolve(_ argument: String, policy: String?) throws -> ReleaseTarget {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder), !isFolder.boolValue {
            let (spec, policy) = try SpecInput.load(file: argument, policy: policy)
            return ReleaseTarget(
                release: ReleaseLedger.name(service: spec.service.name, version: spec.service.version), spec: spec,
                policy: policy, specFile: argument)
        }
        let parts = argument.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw LedgerInput.usage(
                "'\(argument)' is neither a spec file nor a release written service@version (such as checkout@2.14.0)")
        }
        return ReleaseTarget(release: argument, spec: nil, policy: nil, specFile: nil)
    }
}

enum LedgerInput {
    /// Whether the ledger is named by a URL (a server) rather than a file.
    static func isURL(_ location: String) -> Bool {
        location.range(of: "^[A-Za-z][A-Za-z0-9+.-]*://", options: .regularExpression) != nil
    }

    /// The folder of key files: $GREENLIGHT_KEYS, else ~/.greenlight/keys.
    static var keyFolder: String {
        if let folder = ProcessInfo.processInfo.environment["GREENLIGHT_KEYS"], !folder.isEmpty { return folder }
        return FileManager.default.homeDirectoryForCurrentUser.path + "/.greenlight/keys"
    }

    /// A key given by path, or by name in the key folder (`alice` → `<keys>/alice.key`).
    static func keyPath(_ given: String, suffix: String) -> String {
        if given.contains("/") || FileManager.default.fileExists(atPath: given) { return given }
        return keyFolder + "/" + given + suffix
    }

    static func readPrivateKey(_ given: String, option: String) throws -> SigningKey {
        do {
            return try SigningKey.read(path: keyPath(given, suffix: ".key"))
        } catch {
            throw usage("\(option): \(error)")
        }
    }

    static func readPublicKey(_ given: String, option: String) throws -> PublicKey {
        do {
            return try PublicKey.read(path: keyPath(given, suffix: ".pub"))
        } catch {
            throw usage("\(option): \(error)")
        }
    }

    /// `path` relative to the current folder when it is inside it, for messages.
    static func relative(_ path: String) -> String {
        let standard = URL(fileURLWithPath: path).standardizedFileURL.path
        let here = FileManager.default.currentDirectoryPath
        if standard.hasPrefix(here + "/") { return String(standard.dropFirst(here.count + 1)) }
        return standard
    }

    /// Prints `message` and returns the exit code of invalid input.
    static func usage(_ message: String) -> ExitCode {
        Terminal.error("greenlight: \(message)")
        return ExitCode(ExitStatus.invalidInput)
    }

    /// Prints why a ledger operation failed; exits 2 (the ledger or the input is unusable).
    static func fail(_ error: any Error) -> ExitCode {
        if let exit = error as? ExitCode { return exit }
        return usage("\(error)")
    }

    /// A name of ASCII letters, digits, '.', '_' or '-', starting with a letter or digit (as spec ids are).
    static func isIdentifier(_ text: String) -> Bool {
        text.count <= 64 && StringFormat.identifier.check(text) == nil
    }

    /// A JSON document for `--json` output.
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}

/// `--admin-key`, for the commands only the ledger's admin runs (signer add, token new and revoke).
struct AdminKeyOption: ParsableArguments {
    @Option(
        help: ArgumentHelp("The ledger's admin private key (default: <keys>/ledger-admin.key).", valueName: "path"))
    var adminKey: String?

    /// The admin key; exits 2 with the reason when it cannot be read.
    func read() throws -> SigningKey {
        try LedgerInput.readPrivateKey(adminKey ?? LedgerInput.keyFolder + "/ledger-admin.key", option: "--admin-key")
    }
}
