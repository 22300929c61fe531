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

    /// Adds `secret` and the forms in which texts quote it: without the spaces, line breaks and
    /// control characters around it (a token read from a CRLF file ends in CR, and a library's error
    /// shows it escaped), and with its control characters escaped as Swift writes them (`\r`).
    public mutating func add(_ secret: String) {
        insert(secret)
        let core = secret.trimmingCharacters(in: .whitespacesAndNewlines.union(.controlCharacters))
        if core != secret { insert(core) }
        let escaped = String(secret.debugDescription.dropFirst().dropLast())
        if escaped != secret { insert(escaped) }
    }

    private mutating func insert(_ secret: String) {
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
        return maskingCutSecret(out)
    }

    /// The first `limit` UTF-8 bytes of `text` with its secrets masked: masked first, then cut, so that
    /// a cut never leaves the first characters of a secret to show.
    public func cut(_ text: String, toUTF8Count limit: Int) -> String {
        let masked = redact(text)
        guard masked.utf8.count > limit else { return masked }
        return String(decoding: masked.utf8.prefix(limit), as: UTF8.self)
    }

    /// Text that was cut to a length (a response body, an output line) may end in the first part of
    /// a secret. Masking happens after the cut, so that part is masked too: the longest start of a
    /// secret, of at least ``minimumLength`` characters, that the text ends with.
    private func maskingCutSecret(_ text: String) -> String {
        var longest = 0
        for secret in secrets where secret.count > Self.minimumLength {
            var length = min(secret.count - 1, text.count)
            while length >= Self.minimumLength, length > longest {
                if text.hasSuffix(secret.prefix(length)) {
                    longest = length
                    break
                }
                length -= 1
            }
        }
        guard longest > 0 else { return text }
        return String(text.dropLast(longest)) + Self.mask
    }
}
