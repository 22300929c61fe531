/// URLs as they may be shown: never with a password.
package enum DisplayURL {
    /// The URL without the password of its user part: `postgres://app@db:5432/orders`.
    package static func withoutPassword(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let beforeQuery = rest[..<(rest.firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex)]
        guard let at = beforeQuery.lastIndex(of: "@"), let colon = beforeQuery[..<at].firstIndex(of: ":") else {
            return url
        }
        // `host:8080/a@b` has no user part: user and password never hold a bare slash.
        guard !beforeQuery[..<at].contains("/") else { return url }
        return String(url[..<colon]) + String(url[at...])
    }
}
