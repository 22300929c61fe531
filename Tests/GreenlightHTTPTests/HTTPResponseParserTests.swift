import GreenlightCore
import Testing

@testable import GreenlightHTTP

/// Feeds bytes to a parser in the given slice sizes (cycled), then ends the stream.
///
/// With `poisoned`, each slice is handed over as the front of a larger buffer whose remaining bytes
/// would end a head, a chunk line and a message: a parser that read past the slice it was given would
/// parse differently.
private func parse(_ bytes: [UInt8], splits: [Int] = [Int.max], poisoned: Bool = false) throws(HTTPResponseParser
    .ParseError) -> [HTTPResponseParser.Response]
{
    var parser = HTTPResponseParser()
    var out: [HTTPResponseParser.Response] = []
    var i = 0
    var k = 0
    while i < bytes.count {
        let n = min(max(1, splits[k % splits.count]), bytes.count - i)
        k += 1
        var failure: HTTPResponseParser.ParseError?
        let slice = poisoned ? Array(bytes[i..<(i + n)]) + poison : Array(bytes[i..<(i + n)])
        slice.withUnsafeBytes { raw in
            do throws(HTTPResponseParser.ParseError) {
                try parser.consume(UnsafeRawBufferPointer(rebasing: raw[0..<n]), into: &out)
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

/// Bytes that end whatever is being parsed: a head, a chunk-size line, a chunk, the trailers.
private let poison = Array("\r\n\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)

/// What a parse gave: the responses, or the error that refused the input.
private func outcome(_ bytes: [UInt8], splits: [Int] = [Int.max], poisoned: Bool = false) -> Result<
    [HTTPResponseParser.Response], HTTPResponseParser.ParseError
> {
    Result { () throws(HTTPResponseParser.ParseError) in try parse(bytes, splits: splits, poisoned: poisoned) }
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

    @Test("a head seen before is recognised whole, and only when every byte matches")
    func repeatedHeads() throws {
        let a = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A: 1\r\n\r\nabc"
        let sameLengthOtherMeaning = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nabcde"
        let closing = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nxyz"
        let stream = bytes(a + a + sameLengthOtherMeaning + a + closing + closing)
        for splits in [[Int.max], [1], [7, 40], [41]] {
            let got = try parse(stream, splits: splits)
            #expect(got.map(\.bodyBytes) == [3, 3, 5, 3, 3, 3])
            #expect(got.map(\.keepAlive) == [true, true, true, true, false, false])
            #expect(got.map(\.wireBytes).reduce(0, +) == stream.count)
        }
        // A HEAD response with a head seen before still has no body.
        var parser = HTTPResponseParser()
        var out: [HTTPResponseParser.Response] = []
        var failure: HTTPResponseParser.ParseError?
        bytes(a).withUnsafeBytes { raw in
            do throws(HTTPResponseParser.ParseError) { try parser.consume(raw, into: &out) } catch { failure = error }
        }
        parser.nextResponseHasNoBody = true
        bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A: 1\r\n\r\n").withUnsafeBytes { raw in
            do throws(HTTPResponseParser.ParseError) { try parser.consume(raw, into: &out) } catch { failure = error }
        }
        #expect(failure == nil)
        #expect(out.map(\.bodyBytes) == [3, 0])
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

    /// Checks that `responses` could have come from `stream`: one after another, each starting (after
    /// blank lines) with a status line carrying its status, with no more body than wire, and, with no
    /// interim (1xx) response in the stream, covering it exactly.
    static func consistent(_ responses: [HTTPResponseParser.Response], with stream: [UInt8]) -> Bool {
        let total = responses.reduce(0) { $0 + $1.wireBytes }
        guard total <= stream.count else { return false }
        // Interim responses are dropped with their bytes: offsets are exact only without them.
        let interim = stream.indices.contains { i in
            i + 9 < stream.count && stream[i..<(i + 7)].elementsEqual("HTTP/1.".utf8) && stream[i + 8] == 0x20
                && stream[i + 9] == 0x31
        }
        if !interim, total != stream.count { return false }
        var offset = 0
        for response in responses {
            guard response.bodyBytes >= 0, response.bodyBytes < response.wireBytes,
                (100...999).contains(response.status)
            else { return false }
            if interim { continue }
            var at = offset
            while at < stream.count, stream[at] == 0x0D || stream[at] == 0x0A { at += 1 }
            guard at + 12 <= offset + response.wireBytes,
                stream[at..<(at + 7)].elementsEqual("HTTP/1.".utf8), stream[at + 8] == 0x20,
                Int(String(decoding: stream[(at + 9)..<(at + 12)], as: UTF8.self)) == response.status
            else { return false }
            offset += response.wireBytes
        }
        return true
    }

    @Test(
        "100,000 random and mutated streams: valid ones parse exactly, others are refused or parse consistently with their bytes, in any slicing, never reading past a slice",
        .timeLimit(.minutes(3)))
    func fuzz() {
        var rng = SplitMix64(seed: 2)
        var parsed = 0
        var refused = 0
        var failures = 0
        for round in 0..<100_000 {
            var stream: [UInt8]
            var expected: [HTTPResponseParser.Response]?
            if round % 10 == 0 {
                stream = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                // A third of the streams repeat one response, as a server answering the same request does.
                let repeated = round % 3 == 0
                let (one, response) = Self.randomResponse(&rng, last: !repeated && Bool.random(using: &rng))
                let wire = repeated ? one + one : one
                let responses = repeated ? [response, response] : [response]
                stream = wire
                if round % 10 == 1 {
                    expected = responses  // left valid
                } else {
                    for _ in 0..<Int.random(in: 1...4, using: &rng) where !stream.isEmpty {
                        let at = Int.random(in: 0..<stream.count, using: &rng)
                        switch Int.random(in: 0..<4, using: &rng) {
                        case 0: stream[at] = UInt8.random(in: 0...255, using: &rng)
                        case 1:
                            stream.insert(
                                contentsOf: [13, 10, 58, 48, 32, 102].shuffled(using: &rng).prefix(3), at: at)
                        case 2: stream.removeSubrange(at..<min(stream.count, at + Int.random(in: 1...20, using: &rng)))
                        default: stream = Array(stream.prefix(at))
                        }
                    }
                    if stream == wire { expected = responses }
                }
            }
            let splits = (0..<3).map { _ in Int.random(in: 1...50, using: &rng) }
            let whole = outcome(stream)
            let sliced = outcome(stream, splits: splits)
            let poisoned = outcome(stream, splits: splits, poisoned: true)
            var ok = sliced == whole && poisoned == whole
            switch whole {
            case .success(let responses):
                parsed += 1
                if let expected { ok = ok && responses == expected }
                ok = ok && Self.consistent(responses, with: stream)
            case .failure:
                refused += 1
                ok = ok && expected == nil
            }
            if !ok {
                failures += 1
                if failures <= 5 {
                    Issue.record(
                        "round \(round): whole \(whole), in slices \(splits) \(sliced), poisoned \(poisoned), expected \(expected.map { "\($0)" } ?? "any consistent parse or a refusal"), stream \(stream)"
                    )
                }
            }
        }
        #expect(failures == 0)
        // Both kinds of input occur often enough to mean something.
        #expect(parsed > 10_000 && refused > 10_000)
    }
}
