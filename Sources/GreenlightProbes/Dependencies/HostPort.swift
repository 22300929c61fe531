import Foundation

/// A host and port as written in a spec: `cache.internal:6379`, `10.0.0.5:5432`, `[::1]:6379`.
struct HostPort: Sendable, Hashable, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Nil when the text has no usable host, or no port and no `defaultPort`.
    init?(_ text: String, defaultPort: Int? = nil) {
        let text = text.trimmingCharacters(in: .whitespaces)
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = Substring(text)  // a bare name, or an IPv6 address without brackets
        }
        guard !host.isEmpty else { return nil }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else { return nil }
            self.init(host: String(host), port: port)
        } else {
            guard let defaultPort else { return nil }
            self.init(host: String(host), port: defaultPort)
        }
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether the host is a name under `.invalid`, which never resolves (RFC 6761).
    var isInvalidName: Bool { HostPort.isUnderInvalid(host) }

    static func isUnderInvalid(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name == "invalid" || name.hasSuffix(".invalid")
    }
}
