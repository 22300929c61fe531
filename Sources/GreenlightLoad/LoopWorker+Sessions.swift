import Foundation
import GreenlightCore
import GreenlightHTTP
import NIOCore

extension LoopWorker {
    /// Starts one session iteration on `conn`: the connection is lent to the session until it ends.
    /// The first request's latency counts from the iteration's intended start.
    func startSession(name: String, script: SessionScript, on conn: LoadConnection, intended: UInt64) {
        var variables = plan.variables
        if let data = plan.data {
            let row: [String: String]?
            if plan.dataPerUser {
                if conn.userRow == nil { conn.userRow = data.next() }
                row = conn.userRow
            } else {
                row = data.next()
            }
            guard let row else {
                seconds[slot(Self.now())].dropped += 1
                note("the data ran out (mode: unique): iterations without a row were dropped")
                if plan.model == .closed {
                    // A closed-model user without data would spin: it stops, and so do the others.
                    dataExhausted = true
                    conn.active = false
                    idle.append(conn)
                    return
                }
                return makeIdleLater(conn)
            }
            variables.merge(row) { _, new in new }
        }
        conn.lent = true
        conn.sessionStart = intended
        activeSessions += 1
        let loop = self.loop
        Task {
            let outcome = await script.run(variables: variables) { record, timeout, judgeStatus in
                try await loop.flatSubmit { self.send(record, on: conn, judgeStatus: judgeStatus) }.get()
            }
            loop.execute { self.sessionEnded(conn, name: name, outcome: outcome) }
        }
    }

    /// Arrivals that found no data: free the connection on the next loop turn (never recursively).
    private func makeIdleLater(_ conn: LoadConnection) {
        loop.execute { self.makeIdle(conn) }
    }

    func send(_ record: HTTPRequestRecord, on conn: LoadConnection, judgeStatus: Bool) -> EventLoopFuture<
        HTTPResponseRecord
    > {
        guard let requestTarget = RequestEncoder.requestTarget(of: record.url, on: plan.target) else {
            return loop.makeFailedFuture(
                HTTPFailure(description: "\(record.url) is not on the load target \(plan.target.origin)"))
        }
        let buffer = RequestEncoder.encode(
            method: record.method, target: requestTarget, authority: plan.target.authority, headers: record.headers,
            body: record.body)
        let promise = loop.makePromise(of: HTTPResponseRecord.self)
        let now = Self.now()
        conn.promise = promise
        conn.capture = ByteBufferAllocator().buffer(capacity: 1024)
        conn.countsStatus = judgeStatus
        let intended = conn.sessionStart ?? now
        conn.sessionStart = nil
        if !conn.isIdle || conn.context == nil {
            // Closed after the last step (Connection: close, or a timeout): send once it reopens. A
            // closing connection reopens by itself once closed.
            conn.sentAt = now
            conn.pendingWrite = (buffer, intended, record.method == "HEAD")
            if conn.state == .closed { connect(conn) }
            return promise.futureResult
        }
        conn.write(buffer, intended: intended, now: now, isHead: record.method == "HEAD")
        let s = slot(now)
        seconds[s].sent += 1
        seconds[s].bytesOut += UInt64(buffer.readableBytes)
        return promise.futureResult
    }

    /// A request of a session failed in transport: the session hears it as an error.
    func failSession(_ conn: LoadConnection, _ reason: String) {
        if let promise = conn.promise {
            conn.promise = nil
            conn.capture = nil
            promise.fail(HTTPFailure(description: reason))
        }
    }

    func sessionEnded(_ conn: LoadConnection, name: String, outcome: SessionScript.Outcome) {
        activeSessions -= 1
        conn.lent = false
        let s = slot(Self.now())
        seconds[s].iterations += 1
        switch outcome.failure {
        case .assertion(let why)?, .request(let why)?:
            seconds[s].errors[ErrorClass.assertion.slot] += 1
            // A kept failure text may hold what the session revealed: the boundary must know it.
            if note("\(name) › \(outcome.failedStep ?? "?"): \(why)") { plan.secrets.add(contentsOf: outcome.secrets) }
        case .transport?, nil:
            break
        }
        if conn.isIdle, conn.context != nil, conn.pendingWrite == nil { makeIdle(conn) } else { checkFinished() }
    }
}

/// Decodes a whole response the fast parser has already framed, for session steps that capture and assert.
enum RawResponse {
    static func record(from raw: ByteBuffer, seconds: Double) -> HTTPResponseRecord {
        let bytes = Array(raw.readableBytesView)
        var headEnd = -1
        if bytes.count >= 4 {
            for i in 0...(bytes.count - 4)
            where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
                headEnd = i
                // Skip 1xx interim responses.
                if bytes.count > 12, bytes[9] == 0x31 {
                    return record(
                        from: ByteBuffer(bytes: bytes[(i + 4)...]), seconds: seconds)
                }
                break
            }
        }
        guard headEnd >= 0 else { return HTTPResponseRecord(status: 0, headers: [], body: Data(), seconds: seconds) }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        let status = statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (
                    String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                ))
        }
        var body = Array(bytes[(headEnd + 4)...])
        let chunked = headers.contains {
            $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased().contains("chunked")
        }
        if chunked { body = dechunk(body) }
        return HTTPResponseRecord(status: status, headers: headers, body: Data(body), seconds: seconds)
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            var lineEnd = i
            while lineEnd + 1 < bytes.count, !(bytes[lineEnd] == 13 && bytes[lineEnd + 1] == 10) { lineEnd += 1 }
            let sizeText = String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { break }
            out += bytes[start..<(start + size)]
            i = start + size + 2
        }
        return out
    }
}
