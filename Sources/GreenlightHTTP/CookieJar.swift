/// Cookies kept for one scenario: what `Set-Cookie` set is sent back to the same host.
package struct CookieJar: Sendable {
    struct Cookie: Sendable {
        var name: String
        var value: String
        var host: String
        var path: String
    }

    private var cookies: [Cookie] = []

    package init() {}

    /// Stores the cookies of a response; a cookie with Max-Age=0 or an empty value is removed.
    package mutating func store(setCookie headers: [String], host: String) {
        for header in headers {
            let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = parts.first, let eq = first.firstIndex(of: "=") else { continue }
            let name = String(first[..<eq])
            let value = String(first[first.index(after: eq)...])
            var path = "/"
            var expired = value.isEmpty
            for attribute in parts.dropFirst() {
                let lower = attribute.lowercased()
                if lower.hasPrefix("path=") { path = String(attribute.dropFirst(5)) }
                if lower == "max-age=0" || lower.hasPrefix("max-age=-") { expired = true }
            }
            cookies.removeAll { $0.name == name && $0.host == host && $0.path == path }
            if !expired { cookies.append(Cookie(name: name, value: value, host: host, path: path)) }
        }
    }

    /// The `Cookie` header for a request, or nil when no cookie applies.
    package func header(host: String, path: String) -> String? {
        let matching = cookies.filter { $0.host == host && path.hasPrefix($0.path) }
        guard !matching.isEmpty else { return nil }
        return matching.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    package func value(named name: String) -> String? {
        cookies.last { $0.name == name }?.value
    }
}
