import GreenlightCore
import Testing

@testable import GreenlightHTTP

/// Feeds bytes to a parser in the given slice sizes (cycled), then ends the stream.
private func parse(_ bytes: [UInt8], splits: [Int] = [Int.max]) throws(HTTPResponseParser.ParseError)
    -> [HTTPResponseParser.Response]
{
    var parser = HTTPResponseParser()
    var out: [HTTPResponseParser.Response] = []
    var i = 0
    var k = 0
    while i < bytes.count {
        let n = min(max(1, splits[k % splits.count]), bytes.count - i)
        k += 1
        var failure: HTTPResponseParser.ParseError?
        bytes[i..<(i + n)].withUnsafeBytes { raw in
            do throws(HTTPResponseParser.ParseError) {
                try parser.consume(raw, into: &out)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        i += n
    }
    if let last = try parser.finish() { out.append(last) }
    return out
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("HTTP/1.1 response parser")
struct HTTPResponseParserTests {
    @Test("content-length, chunked with extensions and trailers, close-framed, interim and bodyless responses")
    func framing() throws {
        let stream = bytes(
            "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"
                + "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwiki\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
                + "HTTP/1.0 200 OK\r\n\r\nuntil close")
        for splits in [[Int.max], [1], [2, 3, 7], [13]] {
            let got = try parse(stream, splits: splits)
            #expect(got.map(\.status) == [200, 201, 204, 304, 200])
            #expect(got.map(\.bodyBytes) == [5, 14, 0, 0, 11])
            #expect(got.map(\.keepAlive) == [true, true, true, true, false])
            #expect(got.map(\.wireBytes).reduce(0, +) == stream.count - "HTTP/1.1 100 Continue\r\n\r\n".utf8.count)
        }
    }

    @Test(
        "malformed input is an error, never a crash",
        arguments: [
            ("garbage", "hello world\r\n\r\n", HTTPResponseParser.ParseError.invalidStatusLine),
            ("bad status", "HTTP/1.1 2x0 OK\r\n\r\n", .invalidStatusLine),
            ("header without colon", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", .invalidHeader),
            ("folded header", "HTTP/1.1 200 OK\r\nA: b\r\n  c\r\n\r\n", .invalidHeader),
            ("bad length", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", .invalidContentLength),
            (
                "conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                .invalidContentLength
            ),
            ("bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .invalidChunk),
            ("chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX", .invalidChunk),
            ("closed mid-body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", .closedMidMessage),
            ("closed mid-head", "HTTP/1.1 200 OK\r\nContent-Le", .closedMidMessage),
            ("closed mid-chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", .closedMidMessage),
        ])
    func malformed(name: String, text: String, expected: HTTPResponseParser.ParseError) {
        #expect(throws: expected) { try parse(bytes(text)) }
    }

    @Test("an oversized head is refused")
    func oversized() {
        let text = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 20_000) + "\r\n\r\n"
        #expect(throws: HTTPResponseParser.ParseError.headTooLarge) { try parse(bytes(text), splits: [4096]) }
    }

    @Test("responses to HEAD carry no body despite Content-Length")
    func head() throws {
        var parser = HTTPResponseParser()
        parser.nextResponseHasNoBody = true
        var out: [HTTPResponseParser.Response] = []
        var failure: HTTPResponseParser.ParseError?
        bytes("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
            .withUnsafeBytes { raw in
                do throws(HTTPResponseParser.ParseError) { try parser.consume(raw, into: &out) } catch {
                    failure = error
                }
            }
        #expect(failure == nil)
        #expect(out.map(\.bodyBytes) == [0, 1])
        #expect(parser.isIdle)
    }

    /// A random valid response, with what the parser should report.
    static func randomResponse(_ rng: inout SplitMix64, last: Bool) -> ([UInt8], HTTPResponseParser.Response) {
        let status = [200, 201, 202, 301, 400, 404, 418, 500, 503].randomElement(using: &rng)!
        let body = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var head = "HTTP/1.1 \(status) Reason Phrase\r\n"
        for h in 0..<Int.random(in: 0...6, using: &rng) {
            head += "X-H\(h): \(String(repeating: "v", count: h * 7))\r\n"
        }
        var wire: [UInt8]
        var keepAlive = true
        switch Int.random(in: 0..<(last ? 3 : 2), using: &rng) {
        case 0:
            head += (Bool.random(using: &rng) ? "content-LENGTH" : "Content-Length") + ": \(body.count)\r\n\r\n"
            wire = Array(head.utf8) + body
        case 1:
            head += "Transfer-Encoding: chunked\r\n\r\n"
            wire = Array(head.utf8)
            var rest = body[...]
            while !rest.isEmpty {
                let n = Int.random(in: 1...max(1, rest.count), using: &rng)
                wire +=
                    Array(String(n, radix: 16, uppercase: Bool.random(using: &rng)).utf8) + [13, 10] + rest.prefix(n)
                    + [13, 10]
                rest = rest.dropFirst(n)
            }
            wire += Array("0\r\n\r\n".utf8)
        default:
            head += "Connection: close\r\n\r\n"
            wire = Array(head.utf8) + body
            keepAlive = false
        }
        return (wire, .init(status: status, bodyBytes: body.count, wireBytes: wire.count, keepAlive: keepAlive))
    }

    @Test("random valid streams in random slices parse exactly")
    func randomValid() throws {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<2000 {
            var stream: [UInt8] = []
            var expected: [HTTPResponseParser.Response] = []
            let n = Int.random(in: 1...5, using: &rng)
            for k in 0..<n {
                let (wire, response) = Self.randomResponse(&rng, last: k == n - 1)
                stream += wire
                expected.append(response)
            }
            let splits = (0..<3).map { _ in Int.random(in: 1...64, using: &rng) }
            #expect(try parse(stream, splits: splits) == expected)
        }
    }

    @Test("100,000 random and mutated responses: parsed or refused, never a crash or hang", .timeLimit(.minutes(3)))
    func fuzz() {
        var rng = SplitMix64(seed: 2)
        var parsed = 0
        var refused = 0
        for round in 0..<100_000 {
            var stream: [UInt8]
            if round % 10 == 0 {
                stream = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                stream = Self.randomResponse(&rng, last: Bool.random(using: &rng)).0
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !stream.isEmpty {
                    let at = Int.random(in: 0..<stream.count, using: &rng)
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: stream[at] = UInt8.random(in: 0...255, using: &rng)
                    case 1:
                        stream.insert(contentsOf: [13, 10, 58, 48, 32, 102].shuffled(using: &rng).prefix(3), at: at)
                    case 2: stream.removeSubrange(at..<min(stream.count, at + Int.random(in: 1...20, using: &rng)))
                    default: stream = Array(stream.prefix(at))
                    }
                }
            }
            do {
                _ = try parse(stream, splits: [Int.random(in: 1...50, using: &rng)])
                parsed += 1
            } catch {
                refused += 1
            }
        }
        #expect(parsed + refused == 100_000)
        #expect(parsed > 1000 && refused > 1000)
    }
}
