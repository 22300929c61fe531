import Foundation

/// Where a ledger is, as a user names it with `--ledger` or `GREENLIGHT_LEDGER`: a PostgreSQL URL
/// (`postgres://user:password@host:5432/database?sslmode=require`) or the path of a SQLite file.
public enum LedgerLocation: Sendable, Hashable, CustomStringConvertible {
    /// A SQLite file.
    case file(String)
    /// A PostgreSQL database.
    case postgres(PostgresLedgerURL)
    /// A team server (`greenlight serve`), with the token from `GREENLIGHT_TOKEN` (and, for a server whose
    /// certificate a team's own CA issued, that CA's PEM file in `GREENLIGHT_CA_FILE`).
    case server(URL)

    /// Reads `text`: a `postgres://` or `postgresql://` URL, or else a file path. Throws
    /// `LedgerError.Code.storage` for a URL that cannot be used (its password never shown).
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lowered = trimmed.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLedgerURL(trimmed))
        } else if lowered.hasPrefix("https://") || lowered.hasPrefix("http://") {
            guard let url = URL(string: trimmed), let host = url.host, !host.isEmpty, url.user == nil,
                url.query == nil
            else {
                // Shown without a password or a query, either of which may hold a secret.
                var shown = "a URL"
                if var parts = URLComponents(string: trimmed) {
                    if parts.user != nil || parts.password != nil { (parts.user, parts.password) = ("***", nil) }
                    let hadQuery = parts.query != nil || parts.fragment != nil
                    (parts.query, parts.fragment) = (nil, nil)
                    shown = (parts.string ?? "a URL") + (hadQuery ? "?…" : "")
                }
                throw LedgerError(
                    .storage,
                    "the ledger \(shown) is not a server URL greenlight can use: https://host[:port][/prefix], with the token in GREENLIGHT_TOKEN, not in the URL"
                )
            }
            let loopback = ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host.lowercased())
            if lowered.hasPrefix("http://"), !loopback {
                throw LedgerError(
                    .storage,
                    "the ledger http://\(host) would get the token in clear text: use https://, or http:// to loopback only"
                )
            }
            self = .server(url)
        } else if let scheme = trimmed.range(of: "://"), !trimmed[..<scheme.lowerBound].contains("/") {
            throw LedgerError(
                .storage,
                "the ledger \(PostgresLedgerURL.masked(trimmed)) is neither a file path, a postgres:// URL nor a server's https:// URL"
            )
        } else if trimmed.isEmpty {
            throw LedgerError(.storage, "the ledger location is empty: give a file path or a postgres:// URL")
        } else {
            self = .file(trimmed)
        }
    }

    /// Opens the ledger, creating its schema (and, for a file, the file) when it has none.
    public func open() async throws -> any LedgerStore {
        switch self {
        case .file(let path): return try SQLiteLedgerStore(path: path)
        case .postgres(let url): return try await PostgresLedgerStore(url: url)
        case .server(let url):
            let environment = ProcessInfo.processInfo.environment
            let token = environment["GREENLIGHT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            let caFile = environment["GREENLIGHT_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                throw LedgerError(.storage, "GREENLIGHT_CA_FILE names \(caFile), which cannot be read")
            }
            return RemoteLedgerStore(base: url, token: token, caFile: caFile)
        }
    }

    /// The path, or the URL with its password masked.
    public var description: String {
        switch self {
        case .file(let path): return path
        case .postgres(let url): return url.description
        case .server(let url): return url.absoluteString
        }
    }
}

/// A PostgreSQL connection URL as the ledger takes it: user, password, host, port, database and
/// `sslmode` (`disable`, `prefer`, the default, `require` or `verify-full`). Its description masks the
/// password.
public struct PostgresLedgerURL: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode

    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// No TLS.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// TLS always, without checking the server's certificate (libpq's meaning).
        case require
        /// TLS always, with the certificate checked against the system's roots and the host name.
        case verifyFull = "verify-full"
    }

    public init(
        user: String, password: String?, host: String, port: Int = 5432, database: String,
        sslMode: SSLMode = .prefer
    ) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=…` (user, password and database
    /// percent-decoded; the database defaults to the user's name, the port to 5432).
    public init(_ text: String) throws {
        func bad(_ why: String) -> LedgerError {
            LedgerError(.storage, "the ledger URL \(Self.masked(text)) \(why)")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { throw bad("is not a valid URL (percent-encode special characters of the user and password)") }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else {
            throw bad("names no user: postgres://user:password@host:5432/database")
        }
        guard var host = components.host, !host.isEmpty else {
            throw bad("names no host: postgres://user:password@host:5432/database")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw bad("has a bad port: \(port)") }
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        guard !path.contains("/") else { throw bad("has a bad database name: \(path)") }
        var sslMode = SSLMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw bad(
                        "has an unknown sslmode '\(item.value ?? "")'; use one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                sslMode = mode
            default:
                throw bad("has a parameter the ledger does not know: '\(item.name)' (it knows sslmode)")
            }
        }
        self.init(
            user: user, password: components.password?.removingPercentEncoding, host: host, port: port,
            database: path.isEmpty ? user : (path.removingPercentEncoding ?? path), sslMode: sslMode)
    }

    /// `host:port`, as named in messages.
    public var target: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The URL with the password shown as `***`.
    public var description: String {
        let userInfo = Self.encode(user) + (password == nil ? "" : ":***")
        let database = Self.encode(database)
        return "postgres://\(userInfo)@\(target)/\(database)\(sslMode == .prefer ? "" : "?sslmode=\(sslMode.rawValue)")"
    }

    /// `text` with the password of every URL in it masked, and the password itself wherever it appears
    /// (an error text from a library may quote it).
    func masking(_ text: String) -> String {
        var text = Self.masked(text)
        if let password, !password.isEmpty {
            text = text.replacingOccurrences(of: password, with: "***")
            if let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics),
                encoded != password
            {
                text = text.replacingOccurrences(of: encoded, with: "***")
            }
        }
        return text
    }

    /// A URL-like text with the password of its user part masked: `postgres://app:***@db/orders`.
    static func masked(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        // Up to the query, not the first slash: a password may hold an unencoded slash.
        let authority = rest[..<(rest.firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex)]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return url
        }
        return String(url[...colon]) + "***" + String(url[at...])
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
