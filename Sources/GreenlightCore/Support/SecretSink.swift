import Foundation
import Synchronization

/// Secrets a run discovers as it goes: values it sends in `Authorization`, `Proxy-Authorization`,
/// `Cookie` or `X-Api-Key` headers, and captures whose names read as secrets. Runners add to it; the redaction
/// boundary masks them together with the spec's `${VAR}` values.
public final class SecretSink: Sendable {
    private let secrets = Mutex<Set<String>>([])

    public init() {}

    public func add(_ secret: String) {
        guard secret.count >= Redactor.minimumLength else { return }
        _ = secrets.withLock { $0.insert(secret) }
    }

    /// Records what a header reveals (see ``revealed(header:value:)``).
    public func add(header name: String, value: String) {
        for secret in Self.revealed(header: name, value: value) { add(secret) }
    }

    public func add(contentsOf secrets: some Sequence<String>) {
        for secret in secrets { add(secret) }
    }

    /// Headers whose values are credentials whatever their source: an exchange shows only their scheme
    /// or cookie names.
    public static let credentialHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
    ]

    /// The secrets a request header holds: the whole value of `Authorization`, `Proxy-Authorization`,
    /// `Cookie` and `X-Api-Key`; after an auth scheme the credential (`Bearer abc` → `abc`); each
    /// cookie's value. Nothing for other headers. (A cookie a server sets is a secret once it is sent.)
    public static func revealed(header name: String, value: String) -> [String] {
        let lower = name.lowercased()
        guard credentialHeaders.contains(lower), lower != "set-cookie" else { return [] }
        var out = [value]
        switch lower {
        case "authorization", "proxy-authorization":
            if let space = value.firstIndex(of: " ") {
                out.append(String(value[value.index(after: space)...]).trimmingCharacters(in: .whitespaces))
            }
        case "cookie":
            for pair in value.split(separator: ";") {
                if let equals = pair.firstIndex(of: "=") { out.append(String(pair[pair.index(after: equals)...])) }
            }
        default: break
        }
        return out.filter { $0.count >= Redactor.minimumLength }
    }

    /// Whether a capture of this name holds a secret: its name contains token, password, secret, key
    /// or session, in any case.
    public static func isSecretName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["token", "password", "secret", "key", "session"].contains { lower.contains($0) }
    }

    public var all: [String] { secrets.withLock { Array($0) } }
}
