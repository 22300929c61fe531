import Foundation
import GreenlightCore

/// A request as it was sent: what a failing check shows so the user can replay it.
public struct HTTPRequestRecord: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(method: String, url: String, headers: [(name: String, value: String)], body: Data) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (a: HTTPRequestRecord, b: HTTPRequestRecord) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body
            && a.headers.map { "\($0.name):\($0.value)" } == b.headers.map { "\($0.name):\($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// A response as it was received.
public struct HTTPResponseRecord: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// From the start of sending to the last byte of the body.
    public var seconds: Double

    public init(status: Int, headers: [(name: String, value: String)], body: Data, seconds: Double) {
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func headers(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// One request and its response (or the error that stood in for it), shown with secrets masked.
package struct HTTPExchange: Sendable {
    package var request: HTTPRequestRecord
    package var response: HTTPResponseRecord?
    package var error: String?

    package init(request: HTTPRequestRecord, response: HTTPResponseRecord?, error: String?) {
        self.request = request
        self.response = response
        self.error = error
    }

    /// The exchange as lines, like curl -v: request line, headers, body (clipped), then the response.
    /// Credential headers show only their scheme or cookie names; values the run knows as secrets are
    /// masked later, at the redaction boundary, wherever they appear (an echoing body included).
    ///
    /// A body is cut to `bodyLimit` bytes after `secrets` are masked in all of it, never before: a cut
    /// that fell inside a secret would leave its first characters, which no later masking can tell
    /// from other text.
    package func lines(bodyLimit: Int = 2048, secrets: Redactor = Redactor()) -> [String] {
        var out: [String] = []
        out.append("> \(request.method) \(request.url)")
        for (name, value) in request.headers { out.append("> \(name): \(Self.show(name, value))") }
        if !request.body.isEmpty {
            out.append(contentsOf: Self.bodyLines(request.body, prefix: ">", limit: bodyLimit, secrets: secrets))
        }
        if let response {
            out.append("< \(response.status) (\(Format.duration(response.seconds)))")
            for (name, value) in response.headers { out.append("< \(name): \(Self.show(name, value))") }
            if !response.body.isEmpty {
                out.append(contentsOf: Self.bodyLines(response.body, prefix: "<", limit: bodyLimit, secrets: secrets))
            }
        } else if let error {
            out.append("! \(error)")
        }
        return out
    }

    static func show(_ name: String, _ value: String) -> String {
        guard SecretSink.credentialHeaders.contains(name.lowercased()) else { return value }
        // Keep the scheme ("Bearer") so the reader sees what kind of credential went.
        if let space = value.firstIndex(of: " "), name.lowercased().hasSuffix("authorization") {
            return String(value[..<space]) + " ***"
        }
        if name.lowercased().contains("cookie") {
            return value.split(separator: ";").map { part in
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                guard let eq = trimmed.firstIndex(of: "=") else { return trimmed }
                let key = trimmed[..<eq]
                let attribute = ["path", "domain", "expires", "max-age", "samesite"].contains(key.lowercased())
                return attribute ? trimmed : "\(key)=***"
            }.joined(separator: "; ")
        }
        return "***"
    }

    static func bodyLines(_ body: Data, prefix: String, limit: Int, secrets: Redactor) -> [String] {
        guard String(validating: body.prefix(limit), as: UTF8.self) != nil || body.count > limit else {
            return ["\(prefix) (\(body.count) bytes of binary data)"]
        }
        // Mask first, then cut (at the same length).
        let text = secrets.cut(String(decoding: body, as: UTF8.self), toUTF8Count: limit)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(40).map { "\(prefix) \($0)" }
        if body.count > limit { lines.append("\(prefix) … (\(body.count) bytes in all)") }
        return lines
    }
}
