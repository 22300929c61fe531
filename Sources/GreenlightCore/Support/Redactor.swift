import Foundation

/// Removes values that came from the environment (possible secrets) from text before it is shown or stored.
public struct Redactor: Sendable {
    /// Values shorter than this are not scrubbed from free text: they would match everywhere.
    public static let minimumLength = 4
    public static let mask = "***"

    public private(set) var secrets: [String] = []

    public init(secrets: [String] = []) {
        for secret in secrets { add(secret) }
    }

    public mutating func add(_ secret: String) {
        guard secret.count >= Self.minimumLength, !secrets.contains(secret) else { return }
        secrets.append(secret)
        // Longest first, so a secret that contains another is masked whole.
        secrets.sort { $0.count > $1.count }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Self.mask)
        }
        return out
    }
}
