/// What HTTP/1.1 allows in a method, a header name and a header value (RFC 9110 §5.1, §5.5, §9.1):
/// checked wherever greenlight builds a request from the spec or the command line, so that no value
/// can add a header or a request line of its own.
package enum HTTPFieldSyntax {
    /// A token: one or more of ALPHA, DIGIT and ``!#$%&'*+-.^_`|~``.
    package static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                default:
                    return "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }

    /// A field value: visible characters, spaces, tabs and non-ASCII text; no CR, LF, NUL or other
    /// control character.
    package static func isFieldValue(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

    /// Why the request line or a header is not valid HTTP, or nil when all is well.
    package static func problem(method: String, headers: [(name: String, value: String)]) -> String? {
        if !isToken(method) { return "the method \(shown(method)) is not an HTTP token" }
        for (name, value) in headers {
            if !isToken(name) { return "the header name \(shown(name)) is not an HTTP token" }
            if !isFieldValue(value) {
                return "the value of header '\(name)' holds a line break or another control character"
            }
        }
        return nil
    }

    /// Text quoted for a message, with control characters written as escapes.
    static func shown(_ text: String) -> String {
        "'"
            + text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? $0.escaped(asASCII: true) : String($0) }
            .joined() + "'"
    }
}
