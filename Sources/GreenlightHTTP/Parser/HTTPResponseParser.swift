#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental HTTP/1.1 response parser working on bytes: status line, the three headers that
/// frame a message (Content-Length, Transfer-Encoding, Connection), and the body counted, never
/// copied. No `String`, no header dictionaries: the load engine's hot path.
///
/// Feed it whatever arrived with ``consume(_:into:)``; it reports each complete response and keeps
/// the partial one. At end of stream call ``finish()``.
package struct HTTPResponseParser: Sendable {
    package struct Response: Sendable, Hashable {
        package var status: Int
        /// Bytes of body (after de-chunking).
        package var bodyBytes: Int
        /// Bytes of the whole message as received: head, framing and body.
        package var wireBytes: Int
        /// Whether the connection may carry another request.
        package var keepAlive: Bool
    }

    package enum ParseError: Error, Sendable, Hashable {
        case invalidStatusLine
        case headTooLarge
        case invalidHeader
        case invalidContentLength
        case invalidChunk
        case closedMidMessage
    }

    /// The largest status line plus headers accepted.
    package static let maximumHeadBytes = 16 * 1024
    static let maximumChunkLine = 1024

    private enum State: Sendable, Hashable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd(seenCR: Bool)
        case trailers
        case untilClose
    }

    /// What a head says about its message: all that parsing it yields.
    private struct Head: Sendable, Hashable {
        var status: Int
        var keepAlive: Bool
        var chunked: Bool
        var contentLength: Int?
    }

    private var state = State.head
    private var line: [UInt8] = []
    /// The bytes of the last head parsed, and what they said. A server answering the same request
    /// usually sends the same head again: then one comparison stands in for finding its end and
    /// parsing it (the same bytes always parse the same way).
    private var lastHead: [UInt8] = []
    private var lastParsed: Head?
    private var current = Response(status: 0, bodyBytes: 0, wireBytes: 0, keepAlive: true)
    /// For `HEAD` requests: the response has headers only.
    package var nextResponseHasNoBody = false

    package init() {
        line.reserveCapacity(512)
        lastHead.reserveCapacity(512)
    }

    /// Whether a response is partly received.
    package var isIdle: Bool { state == .head && line.isEmpty }

    /// Parses `bytes`, appending every response they complete to `completed`.
    package mutating func consume(_ bytes: UnsafeRawBufferPointer, into completed: inout [Response]) throws(ParseError)
    {
        var i = 0
        let count = bytes.count
        while i < count {
            switch state {
            case .head:
                if line.isEmpty, let known = lastParsed, count - i >= lastHead.count,
                    lastHead.withUnsafeBytes({ memcmp(bytes.baseAddress! + i, $0.baseAddress!, $0.count) == 0 })
                {
                    // The same head as the last one: same end, same meaning.
                    i += lastHead.count
                    current.wireBytes += lastHead.count
                    apply(known)
                    try finishIfBodyless(&completed)
                    continue
                }
                // Accumulate until the blank line that ends the head.
                let start = i
                var end = -1
                // Jump from line feed to line feed (memchr), checking whether each ends the head.
                while i < count {
                    guard let found = memchr(bytes.baseAddress! + i, 0x0A, count - i) else {
                        i = count
                        break
                    }
                    i = bytes.baseAddress!.distance(to: UnsafeRawPointer(found)) + 1
                    if Self.endsHead(line, bytes, start, i) {
                        end = i
                        break
                    }
                }
                if end >= 0, line.isEmpty {
                    // The whole head arrived in this buffer (the usual case): parse it where it lies.
                    if end - start > Self.maximumHeadBytes { throw .headTooLarge }
                    current.wireBytes += end - start
                    try parseHead(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    try finishIfBodyless(&completed)
                    continue
                }
                line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                if line.count > Self.maximumHeadBytes { throw .headTooLarge }
                if end >= 0 {
                    current.wireBytes += line.count
                    let head = line
                    let failure = head.withUnsafeBytes { raw -> ParseError? in
                        do throws(ParseError) {
                            try parseHead(raw)
                            return nil
                        } catch {
                            return error
                        }
                    }
                    if let failure { throw failure }
                    line.removeAll(keepingCapacity: true)
                    try finishIfBodyless(&completed)
                }
            case .fixed(let remaining):
                let take = min(remaining, count - i)
                i += take
                current.bodyBytes += take
                current.wireBytes += take
                if take == remaining {
                    complete(&completed)
                } else {
                    state = .fixed(remaining: remaining - take)
                }
            case .chunkSize:
                let b = bytes[i]
                i += 1
                current.wireBytes += 1
                if b == 0x0A {
                    let size = try Self.chunkSize(line)
                    line.removeAll(keepingCapacity: true)
                    state = size == 0 ? .trailers : .chunkData(remaining: size)
                } else {
                    line.append(b)
                    if line.count > Self.maximumChunkLine { throw .invalidChunk }
                }
            case .chunkData(let remaining):
                let take = min(remaining, count - i)
                i += take
                current.bodyBytes += take
                current.wireBytes += take
                state = take == remaining ? .chunkDataEnd(seenCR: false) : .chunkData(remaining: remaining - take)
            case .chunkDataEnd(let seenCR):
                let b = bytes[i]
                i += 1
                current.wireBytes += 1
                if b == 0x0D, !seenCR {
                    state = .chunkDataEnd(seenCR: true)
                } else if b == 0x0A {
                    state = .chunkSize
                } else {
                    throw .invalidChunk
                }
            case .trailers:
                let b = bytes[i]
                i += 1
                current.wireBytes += 1
                if b == 0x0A {
                    let blank = line.isEmpty || line == [0x0D]
                    line.removeAll(keepingCapacity: true)
                    if blank { complete(&completed) }
                } else {
                    line.append(b)
                    if line.count > Self.maximumHeadBytes { throw .headTooLarge }
                }
            case .untilClose:
                let take = count - i
                i = count
                current.bodyBytes += take
                current.wireBytes += take
            }
        }
    }

    /// Ends the stream: completes a response framed by the connection's close; throws when one was cut off.
    package mutating func finish() throws(ParseError) -> Response? {
        switch state {
        case .untilClose:
            let response = current
            reset()
            return response
        case .head where line.isEmpty:
            return nil
        default:
            throw .closedMidMessage
        }
    }

    private mutating func reset() {
        state = .head
        if !line.isEmpty { line.removeAll(keepingCapacity: true) }
        current = Response(status: 0, bodyBytes: 0, wireBytes: 0, keepAlive: true)
    }

    private mutating func complete(_ completed: inout [Response]) {
        completed.append(current)
        reset()
    }

    /// 1xx interim responses are dropped; 204, 304 and answers to HEAD have no body.
    private mutating func finishIfBodyless(_ completed: inout [Response]) throws(ParseError) {
        if (100..<200).contains(current.status), current.status != 101 {
            reset()
            return
        }
        if case .fixed(0) = state {
            nextResponseHasNoBody = false
            complete(&completed)
        }
    }

    /// True when the bytes so far end with CRLFCRLF or LFLF (`line` holds earlier bytes of this head).
    @inline(__always)
    private static func endsHead(_ line: [UInt8], _ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        // Look back over at most 4 bytes across the accumulated part and this buffer.
        func byte(_ back: Int) -> UInt8? {
            let index = end - 1 - back
            if index >= start { return bytes[index] }
            let inLine = line.count - (start - index)
            return inLine >= 0 ? line[inLine] : nil
        }
        if byte(1) == 0x0A { return true }
        return byte(1) == 0x0D && byte(2) == 0x0A
    }

    private mutating func parseHead(_ whole: UnsafeRawBufferPointer) throws(ParseError) {
        // Status line: HTTP/1.x SP 3DIGIT [SP reason]; blank lines before it are ignored (RFC 9112 2.2).
        var skip = 0
        while skip < whole.count, whole[skip] == 0x0D || whole[skip] == 0x0A { skip += 1 }
        let head = UnsafeRawBufferPointer(rebasing: whole[skip...])
        guard head.count >= 12, head[0] == 0x48, head[1] == 0x54, head[2] == 0x54, head[3] == 0x50, head[4] == 0x2F,
            head[5] == 0x31, head[6] == 0x2E, head[7] == 0x30 || head[7] == 0x31, head[8] == 0x20,
            HTTPBytes.isDigit(head[9]), HTTPBytes.isDigit(head[10]), HTTPBytes.isDigit(head[11])
        else { throw .invalidStatusLine }
        let status = Int(head[9] - 0x30) * 100 + Int(head[10] - 0x30) * 10 + Int(head[11] - 0x30)
        guard status >= 100 else { throw .invalidStatusLine }
        var keepAlive = head[7] == 0x31
        var contentLength: Int? = nil
        var chunked = false

        /// The index of the next `byte` at or after `from` (before `to`), or `to`.
        func next(_ byte: Int32, from: Int, to: Int) -> Int {
            guard from < to, let found = memchr(head.baseAddress! + from, byte, to - from) else { return to }
            return head.baseAddress!.distance(to: UnsafeRawPointer(found))
        }
        var i = next(0x0A, from: 12, to: head.count) + 1
        while i < head.count {
            let end = next(0x0A, from: i, to: head.count)
            var lineEnd = end
            if lineEnd > i, head[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if lineEnd == i { break }  // the blank line
            if head[i] == 0x20 || head[i] == 0x09 { throw .invalidHeader }  // obsolete folding
            // Only three headers frame a message: skip the rest after a look at their first letter.
            let first = HTTPBytes.lower(head[i])
            let colon = next(0x3A, from: i, to: lineEnd)
            guard colon < lineEnd, colon > i else { throw .invalidHeader }
            if first != 0x63 && first != 0x74 {  // c, t
                i = end + 1
                continue
            }
            var valueStart = colon + 1
            while valueStart < lineEnd, head[valueStart] == 0x20 || head[valueStart] == 0x09 { valueStart += 1 }
            var valueEnd = lineEnd
            while valueEnd > valueStart, head[valueEnd - 1] == 0x20 || head[valueEnd - 1] == 0x09 { valueEnd -= 1 }
            if HTTPBytes.equalsLowercase(head, i, colon, "content-length") {
                guard valueEnd > valueStart, valueEnd - valueStart <= 18 else { throw .invalidContentLength }
                var n = 0
                for k in valueStart..<valueEnd {
                    guard HTTPBytes.isDigit(head[k]) else { throw .invalidContentLength }
                    n = n * 10 + Int(head[k] - 0x30)
                }
                if let previous = contentLength, previous != n { throw .invalidContentLength }
                contentLength = n
            } else if HTTPBytes.equalsLowercase(head, i, colon, "transfer-encoding") {
                chunked = HTTPBytes.endsWithLowercase(head, valueStart, valueEnd, "chunked")
                if !chunked { keepAlive = false }  // framed by close
            } else if HTTPBytes.equalsLowercase(head, i, colon, "connection") {
                if HTTPBytes.containsLowercase(head, valueStart, valueEnd, "close") { keepAlive = false }
                if HTTPBytes.containsLowercase(head, valueStart, valueEnd, "keep-alive") { keepAlive = true }
            }
            i = end + 1
        }
        let parsed = Head(status: status, keepAlive: keepAlive, chunked: chunked, contentLength: contentLength)
        lastHead.removeAll(keepingCapacity: true)
        lastHead.append(contentsOf: whole)
        lastParsed = parsed
        apply(parsed)
    }

    /// Starts the message a head announced.
    @inline(__always)
    private mutating func apply(_ head: Head) {
        current.status = head.status
        current.keepAlive = head.keepAlive
        let status = head.status
        if (100..<200).contains(status) || status == 204 || status == 304 || nextResponseHasNoBody {
            state = .fixed(remaining: 0)
        } else if head.chunked {
            state = .chunkSize
        } else if let contentLength = head.contentLength {
            state = .fixed(remaining: contentLength)
        } else {
            current.keepAlive = false
            state = .untilClose
        }
    }

    private static func chunkSize(_ line: [UInt8]) throws(ParseError) -> Int {
        var end = line.count
        if end > 0, line[end - 1] == 0x0D { end -= 1 }
        var size = 0
        var digits = 0
        var k = 0
        while k < end, let value = HTTPBytes.hexValue(line[k]) {
            size = size * 16 + value
            digits += 1
            k += 1
            if digits > 15 { throw .invalidChunk }
        }
        guard digits > 0 else { throw .invalidChunk }
        while k < end, line[k] == 0x20 || line[k] == 0x09 { k += 1 }
        guard k == end || line[k] == 0x3B else { throw .invalidChunk }  // only extensions may follow
        return size
    }
}
