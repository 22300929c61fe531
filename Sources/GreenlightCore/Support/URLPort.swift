/// The port a URL names, read from its text. Foundation's `URLComponents.port` is nil for a port
/// too large for an `Int`, so such a URL would pass as having no port at all; every check of a URL's
/// port (the spec's URL formats, `--url`, each request greenlight sends) reads it here instead.
package enum URLPort {
    /// Why the URL's explicit port cannot be used, or nil when it has none or one from 1 to 65535.
    package static func problem(in url: String) -> String? {
        guard let text = text(in: url) else { return nil }
        if let port = Int(text), (1...65535).contains(port) { return nil }
        let shown = text.count > 24 ? text.prefix(24) + "…" : text
        return "has port \(shown); a port is from 1 to 65535"
    }

    /// The digits after the host's colon, or nil when the URL names no port (or one that is not
    /// digits, which the URL parser refuses on its own).
    static func text(in url: String) -> Substring? {
        guard let separator = url.range(of: "://") else { return nil }
        var authority = url[separator.upperBound...].prefix { !"/?#".contains($0) }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let afterHost: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            afterHost = authority[authority.index(after: close)...]
        } else {
            guard let colon = authority.lastIndex(of: ":") else { return nil }
            afterHost = authority[colon...]
        }
        guard afterHost.hasPrefix(":") else { return nil }
        let digits = afterHost.dropFirst()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return digits
    }
}
