/// Byte-level pieces of HTTP/1.1 syntax (RFC 9110, RFC 9112), shared by the load engine's response
/// parser and the canary router's head rewriting: no `String`, no allocation.
package enum HTTPBytes {
    @inline(__always) package static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    @inline(__always) package static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    @inline(__always) package static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: Int(b - 0x30)
        case 0x41...0x46: Int(b - 0x41 + 10)
        case 0x61...0x66: Int(b - 0x61 + 10)
        default: nil
        }
    }

    /// tchar of RFC 9110 §5.6.2.
    @inline(__always) package static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
        default: false
        }
    }

    /// Whether `bytes[start..<end]` is `word` (lower case) in any case.
    package static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ word: StaticString)
        -> Bool
    {
        guard end - start == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<(end - start) where lower(bytes[start + k]) != w[k] { return false }
        return true
    }

    package static func endsWithLowercase(
        _ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ word: StaticString
    ) -> Bool {
        let n = word.utf8CodeUnitCount
        return end - start >= n && equalsLowercase(bytes, end - n, end, word)
    }

    package static func containsLowercase(
        _ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ word: StaticString
    ) -> Bool {
        let n = word.utf8CodeUnitCount
        guard end - start >= n else { return false }
        for s in start...(end - n) where equalsLowercase(bytes, s, s + n, word) { return true }
        return false
    }
}
