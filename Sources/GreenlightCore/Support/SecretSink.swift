import Foundation
import Synchronization

/// Secrets a run discovers as it goes: values it sends in `Authorization`, `Proxy-Authorization`
/// or `Cookie` headers, and captures whose names read as secrets. Runners add to it; the redaction
/// boundary masks them together with the spec's `${VAR}` values.
public final class SecretSink: Sendable {
    private let secrets = Mutex<Set<String>>([])

    public init() {}

    public func add(_ secret: String) {
        guard secret.count >= Redactor.minimumLength else { return }
        _ = secrets.withLock { $0.insert(secret) }
    }

    /// Records what a request header reveals: the whole value, the credential after an auth scheme
    /// (`Bearer abc` → `abc`), and each cookie's value.
    public func add(header name: String, value: String) {
        switch name.lowercased() {
        case "authorization", "proxy-authorization":
            add(value)
            if let space = value.firstIndex(of: " ") {
                add(String(value[value.index(after: space)...]).trimmingCharacters(in: .whitespaces))
            }
        case "cookie":
            add(value)
            for pair in value.split(separator: ";") {
                if let equals = pair.firstIndex(of: "=") { add(String(pair[pair.index(after: equals)...])) }
            }
        default: break
        }
    }

    /// Whether a capture of this name holds a secret: its name contains token, password, secret, key
    /// or session, in any case.
    public static func isSecretName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["token", "password", "secret", "key", "session"].contains { lower.contains($0) }
    }

    public var all: [String] { secrets.withLock { Array($0) } }
}
