/// One part of a `multipart/form-data` body.
struct MultipartPart: Sendable {
    /// Header fields, names lowercased.
    var headers: [String: String]
    /// The form field name from `Content-Disposition`.
    var name: String?
    /// The file name from `Content-Disposition`, if the part is a file.
    var filename: String?
    var body: ArraySlice<UInt8>
}

/// A forgiving-but-safe `multipart/form-data` reader (RFC 7578): malformed input yields nil, never a crash.
enum Multipart {
    /// Parts beyond this count make the body malformed.
    static let maximumPartCount = 64

    /// The boundary from a `Content-Type` value such as `multipart/form-data; boundary="xyz"`.
    static func boundary(fromContentType contentType: String) -> String? {
        let parameters = HeaderParameters(contentType)
        guard let boundary = parameters["boundary"], (1...70).contains(boundary.utf8.count) else { return nil }
        return boundary
    }

    /// Whether a `Content-Type` value names `multipart/form-data`.
    static func isFormData(contentType: String) -> Bool {
        HeaderParameters(contentType).value.lowercased() == "multipart/form-data"
    }

    /// The parts of `body`, or nil when the body does not follow the format.
    static func parse(_ body: [UInt8], boundary: String) -> [MultipartPart]? {
        let delimiter = Array("--\(boundary)".utf8)
        let partDelimiter = Array("\r\n--\(boundary)".utf8)
        guard var cursor = firstIndex(of: delimiter, in: body, from: 0) else { return nil }
        cursor += delimiter.count
        var parts: [MultipartPart] = []
        while true {
            if startsWith(Array("--".utf8), in: body, at: cursor) {
                return parts
            }
            // Transport padding, then the line break that ends the delimiter line.
            while cursor < body.count, body[cursor] == UInt8(ascii: " ") || body[cursor] == UInt8(ascii: "\t") {
                cursor += 1
            }
            guard startsWith(Array("\r\n".utf8), in: body, at: cursor) else { return nil }
            cursor += 2
            guard let end = firstIndex(of: partDelimiter, in: body, from: cursor) else { return nil }
            guard let part = parsePart(body[cursor..<end]) else { return nil }
            parts.append(part)
            guard parts.count <= maximumPartCount else { return nil }
            cursor = end + partDelimiter.count
        }
    }

    private static func parsePart(_ bytes: ArraySlice<UInt8>) -> MultipartPart? {
        let headerEnd: Int
        let bodyStart: Int
        if startsWith(Array("\r\n".utf8), in: bytes, at: bytes.startIndex) {
            headerEnd = bytes.startIndex
            bodyStart = bytes.startIndex + 2
        } else if let end = firstIndex(of: Array("\r\n\r\n".utf8), in: bytes, from: bytes.startIndex) {
            headerEnd = end
            bodyStart = end + 4
        } else {
            return nil
        }
        var headers: [String: String] = [:]
        let headerText = String(decoding: bytes[bytes.startIndex..<headerEnd], as: UTF8.self)
        for line in headerText.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingSpaces().lowercased()
            guard !name.isEmpty else { return nil }
            headers[name] = String(line[line.index(after: colon)...].trimmingSpaces())
        }
        let disposition = headers["content-disposition"].map(HeaderParameters.init)
        return MultipartPart(
            headers: headers,
            name: disposition?["name"],
            filename: disposition?["filename"],
            body: bytes[bodyStart...]
        )
    }

    private static func startsWith<Haystack: RandomAccessCollection<UInt8>>(
        _ needle: [UInt8], in haystack: Haystack, at index: Int
    ) -> Bool where Haystack.Index == Int {
        guard index >= haystack.startIndex, haystack.endIndex - index >= needle.count else { return false }
        for offset in 0..<needle.count where haystack[index + offset] != needle[offset] {
            return false
        }
        return true
    }

    private static func firstIndex<Haystack: RandomAccessCollection<UInt8>>(
        of needle: [UInt8], in haystack: Haystack, from: Int
    ) -> Int? where Haystack.Index == Int {
        guard let first = needle.first, from >= haystack.startIndex, haystack.endIndex - from >= needle.count else {
            return nil
        }
        var index = from
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first, startsWith(needle, in: haystack, at: index) {
                return index
            }
            index += 1
        }
        return nil
    }
}

/// A header value with `;`-separated parameters, as in `form-data; name="file"; filename="a.txt"`.
struct HeaderParameters {
    /// The part before the first `;`.
    var value: String
    private var parameters: [String: String] = [:]

    init(_ header: String) {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\", inQuotes {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                current.append(character)
                inQuotes.toggle()
            } else if character == ";", !inQuotes {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        value = String(fields[0].trimmingSpaces())
        for field in fields.dropFirst() {
            guard let equals = field.firstIndex(of: "=") else { continue }
            let key = field[..<equals].trimmingSpaces().lowercased()
            let raw = field[field.index(after: equals)...].trimmingSpaces()
            if parameters[key] == nil {
                parameters[key] = Self.unquoted(raw)
            }
        }
    }

    subscript(name: String) -> String? {
        parameters[name.lowercased()]
    }

    /// A quoted-string's content with its escapes resolved; a token as it is.
    private static func unquoted(_ raw: Substring) -> String {
        guard raw.count >= 2, raw.first == "\"", raw.last == "\"" else { return String(raw) }
        var result = ""
        var escaped = false
        for character in raw.dropFirst().dropLast() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[start...end]
    }
}
