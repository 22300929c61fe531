import Foundation

/// A libpq connection URL: `postgres://user:password@host:port/database?sslmode=require`.
struct PostgresURL: Sendable, Hashable {
    var user: String
    var password: String?
    var host: String
    var port: Int
    var database: String
    /// disable, allow, prefer (the default), require, verify-ca or verify-full.
    var sslMode: String
    /// The folder of the server's Unix socket, from `?host=/path`.
    var socketDirectory: String?

    static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    struct ParseError: Error, Equatable {
        var reason: String
    }

    init(_ text: String) throws(ParseError) {
        let lowered = text.lowercased()
        guard let prefix = ["postgres://", "postgresql://"].first(where: { lowered.hasPrefix($0) }) else {
            throw ParseError(reason: "must start with postgres:// or postgresql://")
        }
        var rest = Substring(text.dropFirst(prefix.count))
        var parameters: [String: String] = [:]
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                let key = Self.decode(parts[0])
                parameters[key] = parts.count > 1 ? Self.decode(parts[1]) : ""
            }
            rest = rest[..<question]
        }
        var userInfo: Substring = ""
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var hostPart = rest
        var databasePart: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            hostPart = rest[..<slash]
            databasePart = rest[rest.index(after: slash)...]
        }
        guard !hostPart.contains(",") else {
            throw ParseError(reason: "names several hosts; give one host per dependency")
        }

        if let colon = userInfo.firstIndex(of: ":") {
            user = Self.decode(userInfo[..<colon])
            password = Self.decode(userInfo[userInfo.index(after: colon)...])
        } else {
            user = Self.decode(userInfo)
            password = nil
        }
        if let name = parameters["user"] { user = name }
        if let secret = parameters["password"] { password = secret }
        guard !user.isEmpty else { throw ParseError(reason: "names no user (postgres://user:password@host/database)") }

        var port = 5432
        if hostPart.isEmpty {
            host = ""
        } else if let address = HostPort(String(hostPart), defaultPort: 5432) {
            host = Self.decode(Substring(address.host))
            port = address.port
        } else {
            throw ParseError(reason: "has a bad host or port: \(hostPart)")
        }
        if let text = parameters["port"] {
            guard let value = Int(text), (1...65535).contains(value) else {
                throw ParseError(reason: "has a bad port: \(text)")
            }
            port = value
        }
        self.port = port
        if let hostParameter = parameters["host"] {
            if hostParameter.hasPrefix("/") { socketDirectory = hostParameter } else { host = hostParameter }
        }
        guard !host.isEmpty || socketDirectory != nil else { throw ParseError(reason: "names no host") }
        database = parameters["dbname"] ?? (databasePart.isEmpty ? user : Self.decode(databasePart))
        sslMode = parameters["sslmode"] ?? "prefer"
        guard Self.sslModes.contains(sslMode) else {
            throw ParseError(
                reason: "has an unknown sslmode \(sslMode); use one of \(Self.sslModes.joined(separator: ", "))")
        }
    }

    /// The path of the server's Unix socket, when the URL names a socket folder.
    var socketPath: String? { socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } }

    /// Where the server is, as shown in reasons: `db.internal:5432` or the socket's path.
    var target: String { socketPath ?? HostPort(host: host, port: port).description }

    /// The URL without its password, to show.
    var display: String {
        var text = "postgres://\(user)@\(socketDirectory == nil ? target : "")/\(database)"
        var query: [String] = []
        if let socketDirectory { query.append("host=\(socketDirectory)") }
        if sslMode != "prefer" { query.append("sslmode=\(sslMode)") }
        if !query.isEmpty { text += "?" + query.joined(separator: "&") }
        return text
    }

    private static func decode(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }
}
