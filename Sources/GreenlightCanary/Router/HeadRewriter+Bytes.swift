import GreenlightHTTP

/// The byte-level reading of field values the head rewriting needs: lengths, codings, cookies, and
/// names compared without `String`.
extension HeadRewriter {
    static func contentLength(_ value: UnsafeRawBufferPointer, previous: Int?) throws(HeadRefusal) -> Int {
        guard !value.isEmpty, value.count <= 15 else { throw .bad("invalid Content-Length") }
        var n = 0
        for b in value {
            guard isDigit(b) else { throw .bad("invalid Content-Length") }
            n = n * 10 + Int(b - 0x30)
        }
        if let previous, previous != n { throw .bad("conflicting Content-Length fields") }
        return n
    }

    /// Whether the last transfer coding listed is `chunked`.
    static func lastCodingIsChunked(_ value: UnsafeRawBufferPointer) -> Bool {
        var end = value.count
        while end > 0, value[end - 1] == 0x20 || value[end - 1] == 0x09 { end -= 1 }
        guard end >= 7 else { return false }
        guard equals(UnsafeRawBufferPointer(rebasing: value[(end - 7)..<end]), "chunked") else { return false }
        var k = end - 7
        while k > 0, value[k - 1] == 0x20 || value[k - 1] == 0x09 { k -= 1 }
        return k == 0 || value[k - 1] == 0x2C
    }

    /// The value of cookie `name` in a `Cookie` field's value.
    static func cookie(_ name: [UInt8], in value: UnsafeRawBufferPointer) -> String? {
        var i = 0
        while i < value.count {
            while i < value.count, value[i] == 0x20 || value[i] == 0x3B { i += 1 }
            let start = i
            while i < value.count, value[i] != 0x3B { i += 1 }
            let pair = UnsafeRawBufferPointer(rebasing: value[start..<i])
            guard let equals = pair.firstIndex(of: 0x3D) else { continue }
            if equals == name.count, pair.prefix(equals).elementsEqual(name) {
                return String(decoding: pair[(equals + 1)...], as: UTF8.self)
            }
        }
        return nil
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { HTTPBytes.isDigit(b) }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { HTTPBytes.lower(b) }
    @inline(__always) static func isTokenByte(_ b: UInt8) -> Bool { HTTPBytes.isTokenByte(b) }

    /// Case-insensitive equality with a lower-case word (field names, tokens).
    @inline(__always) static func equals(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        HTTPBytes.equalsLowercase(bytes, 0, bytes.count, word)
    }

    /// A method is case-sensitive (RFC 9110 §9.1): `head` is not `HEAD`.
    static func isMethod(_ bytes: UnsafeRawBufferPointer, _ method: StaticString) -> Bool {
        bytes.count == method.utf8CodeUnitCount
            && bytes.elementsEqual(UnsafeBufferPointer(start: method.utf8Start, count: method.utf8CodeUnitCount))
    }

    static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        return bytes.count >= n && equals(UnsafeRawBufferPointer(rebasing: bytes[0..<n]), word)
    }

    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ other: [UInt8]) -> Bool {
        guard bytes.count == other.count else { return false }
        for k in 0..<bytes.count where lower(bytes[k]) != lower(other[k]) { return false }
        return true
    }
}
