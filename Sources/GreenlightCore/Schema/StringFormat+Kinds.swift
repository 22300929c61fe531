import Foundation

extension StringFormat {
    package static let text = StringFormat(name: "text")

    package static let identifier = StringFormat(
        name: "a name of ASCII letters, digits, '.', '_' or '-'",
        pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ) { text in
        let ok =
            text.first.map { $0.isASCII && ($0.isLetter || $0.isNumber) } == true
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        return ok
            ? nil
            : "must start with an ASCII letter or digit and hold only ASCII letters (a-z, A-Z), digits, '.', '_' or '-'"
    }

    package static let url = StringFormat(
        name: "a URL such as https://host/path", pattern: "^(https?://.+|\\$\\{.+\\}.*)$", jsonFormat: nil
    ) { text in
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return "must be an http:// or https:// URL with a host" }
        return URLPort.problem(in: text)
    }

    /// A path such as /metrics, or an absolute URL (a scheme and `://`), which must then be a
    /// ``url``: a field that takes either is checked like every other URL field when it holds one.
    package static let pathOrURL = StringFormat(name: "a path such as /metrics, or a URL such as https://host/path") {
        text in
        guard text.contains("://") else { return nil }
        return url.check(text)
    }

    /// A URL of any scheme with a host part (postgres://, redis://).
    package static let anyURL = StringFormat(name: "a URL such as postgres://host:5432/db") { text in
        guard let components = URLComponents(string: text), components.scheme != nil else {
            return "must be a URL with a scheme, such as postgres://user@host:5432/db"
        }
        return URLPort.problem(in: text)
    }

    /// `host:port`.
    package static let address = StringFormat(name: "host:port, such as cache.internal:6379", pattern: "^.+:[0-9]+$") {
        text in
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port), colon != text.startIndex
        else { return "must be host:port with a port from 1 to 65535" }
        return nil
    }

    package static let duration = StringFormat(
        name: "a duration such as 500ms, 30s, 10m or 1h30m",
        pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$"
    ) { text in
        SpecDuration(text) == nil
            ? "must be a duration with a unit, such as 500ms, 30s, 10m or 1h30m, and at most 3650d" : nil
    }

    /// A latency budget: `< 500ms` or `<= 1s`.
    package static let durationBudget = StringFormat(
        name: "a budget such as '< 500ms'", pattern: "^\\s*<=?\\s*([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+\\s*$"
    ) { text in
        DurationBudget(text) == nil ? "must be '< DURATION' or '<= DURATION', such as '< 500ms'" : nil
    }

    package static let date = StringFormat(
        name: "a date such as 2026-12-15", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", jsonFormat: "date"
    ) { text in
        CalendarDate(text) == nil ? "must be a calendar date written YYYY-MM-DD, such as 2026-12-15" : nil
    }

    package static let threshold = StringFormat(
        name: "a threshold such as 'p99 < 300ms'",
        pattern: "^\\s*[A-Za-z_][A-Za-z0-9_.]*\\s*(<|<=|>|>=|==|!=)\\s*[0-9.]+\\s*[A-Za-zµ%]*\\s*$"
    ) { text in
        do throws(Threshold.ParseError) {
            _ = try Threshold(parsing: text)
            return nil
        } catch {
            return error.message
        }
    }

    package static let httpHeaderName = StringFormat(
        name: "an HTTP header name", pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"
    ) {
        text in
        text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+.^_`|~-".contains($0)) }
            ? nil : "is not a valid HTTP header name"
    }

    /// A header value as sent (RFC 9110 field-value): any text but control characters, tab aside, so that
    /// no value, typed or from `${VAR}`, can end the header line and start another.
    package static let httpFieldValue = StringFormat(
        name: "a header value (text without line breaks or control characters)",
        pattern: "^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*$", allowsEmpty: true
    ) { text in
        text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }
            ? "holds a line break or another control character, which would end the header line (RFC 9110)" : nil
    }

    /// A path in the file system, relative to the spec's folder unless absolute.
    package static let path = StringFormat(name: "a file path (relative to the spec's folder)")

    /// A shell command line.
    package static let command = StringFormat(name: "a shell command")
}
