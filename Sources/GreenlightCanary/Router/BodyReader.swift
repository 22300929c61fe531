import GreenlightHTTP

/// Follows a message body's framing over the bytes as they arrive (RFC 9112 §6, §7.1): how many of them
/// belong to the message and where it ends, so the proxy can pass the bytes on as they are and know
/// when an exchange is over. For an HTTP/1.0 client it can also unwrap a chunked body.
///
/// The bytes go on unchanged, so the next hop must read the same chunks: every chunk line, chunk end
/// and trailer line must end in CRLF (a bare LF, or a control character in an extension, is refused),
/// since a server that reads those differently would see other messages in the same bytes.
struct BodyReader: Sendable {
    private enum State: Sendable, Equatable {
        case done
        case fixed(remaining: Int)
        case untilClose
        case chunkSize
        case chunkExtension
        case chunkSizeLF
        case chunkData(remaining: Int)
        case chunkDataCR
        case chunkDataLF
        case trailerStart
        case trailerLine
        case trailerLF
        case finalLF
    }

    struct FramingError: Error, Equatable, Sendable {
        var reason: String
    }

    private var state: State
    private var size = 0
    private var digits = 0
    private var lineBytes = 0
    private var trailerBytes = 0

    static let maximumChunkLine = 4096
    static let maximumTrailers = 16 * 1024

    init(_ framing: BodyFraming) {
        switch framing {
        case .none: state = .done
        case .length(let n): state = n > 0 ? .fixed(remaining: n) : .done
        case .chunked: state = .chunkSize
        case .untilClose: state = .untilClose
        }
    }

    var isComplete: Bool { state == .done }
    var endsAtClose: Bool { state == .untilClose }

    /// Reads message bytes from the start of `bytes` and returns how many belong to the message; the rest
    /// belong to whatever follows it. `data`, when given, is told each range of body data (chunk framing
    /// left out).
    mutating func consume(_ bytes: UnsafeRawBufferPointer, data: ((Range<Int>) -> Void)? = nil) throws(FramingError)
        -> Int
    {
        var i = 0
        let count = bytes.count
        while i < count {
            switch state {
            case .done:
                return i
            case .fixed(let remaining):
                let take = min(remaining, count - i)
                data?(i..<(i + take))
                i += take
                state = take == remaining ? .done : .fixed(remaining: remaining - take)
            case .untilClose:
                data?(i..<count)
                return count
            case .chunkData(let remaining):
                let take = min(remaining, count - i)
                data?(i..<(i + take))
                i += take
                state = take == remaining ? .chunkDataCR : .chunkData(remaining: remaining - take)
            case .chunkSize:
                let b = bytes[i]
                i += 1
                if let value = HTTPBytes.hexValue(b) {
                    digits += 1
                    guard digits <= 15 else { throw FramingError(reason: "chunk size too large") }
                    size = size * 16 + value
                } else {
                    guard digits > 0 else { throw FramingError(reason: "malformed chunk size") }
                    switch b {
                    case 0x3B, 0x20, 0x09: state = .chunkExtension
                    case 0x0D: state = .chunkSizeLF
                    default: throw FramingError(reason: "malformed chunk size")
                    }
                }
            case .chunkExtension:
                let b = bytes[i]
                i += 1
                lineBytes += 1
                guard lineBytes <= Self.maximumChunkLine else { throw FramingError(reason: "chunk line too long") }
                if b == 0x0D {
                    state = .chunkSizeLF
                } else if b < 0x20 && b != 0x09 || b == 0x7F {
                    throw FramingError(reason: "a control character in a chunk extension")
                }
            case .chunkSizeLF:
                guard bytes[i] == 0x0A else { throw FramingError(reason: "malformed chunk line") }
                i += 1
                endSizeLine()
            case .chunkDataCR:
                let b = bytes[i]
                i += 1
                guard b == 0x0D else { throw FramingError(reason: "chunk data not ended by CRLF") }
                state = .chunkDataLF
            case .chunkDataLF:
                guard bytes[i] == 0x0A else { throw FramingError(reason: "chunk data longer than its size") }
                i += 1
                state = .chunkSize
            case .trailerStart:
                let b = bytes[i]
                i += 1
                trailerBytes += 1
                if b == 0x0D {
                    state = .finalLF
                } else if b < 0x20 && b != 0x09 || b == 0x7F {
                    throw FramingError(reason: "a control character in a trailer")
                } else {
                    state = .trailerLine
                }
            case .trailerLine:
                let b = bytes[i]
                i += 1
                trailerBytes += 1
                guard trailerBytes <= Self.maximumTrailers else { throw FramingError(reason: "trailers too large") }
                if b == 0x0D {
                    state = .trailerLF
                } else if b < 0x20 && b != 0x09 || b == 0x7F {
                    throw FramingError(reason: "a control character in a trailer")
                }
            case .trailerLF:
                guard bytes[i] == 0x0A else { throw FramingError(reason: "a trailer line not ended by CRLF") }
                i += 1
                trailerBytes += 1
                state = .trailerStart
            case .finalLF:
                guard bytes[i] == 0x0A else { throw FramingError(reason: "malformed end of chunked body") }
                i += 1
                state = .done
            }
        }
        return i
    }

    private mutating func endSizeLine() {
        state = size == 0 ? .trailerStart : .chunkData(remaining: size)
        size = 0
        digits = 0
        lineBytes = 0
    }
}
