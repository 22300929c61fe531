import AsyncHTTPClient
import Foundation
import GreenlightCore
import GreenlightHTTP
import NIOCore
import NIOHTTP1
import NIOPosix

extension Probe {
    /// GETs `url` with `headers`: the status, the latency budget, the rate limit left and, for
    /// https with `min_days_valid`, the certificate's days to expiry.
    func checkHTTP() async -> ProbeOutcome {
        let url = spec.url ?? ""
        let shown = DisplayURL.withoutPassword(url)
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            let host = parsed.host, !host.isEmpty
        else { return .error("\(shown) is not an http or https URL") }
        var bareHost = host
        if bareHost.hasPrefix("["), bareHost.hasSuffix("]") { bareHost = String(bareHost.dropFirst().dropLast()) }
        let target = HostPort(host: bareHost, port: parsed.port ?? (scheme == "https" ? 443 : 80))
        progress.target = target.description
        if target.isInvalidName {
            return .fail("host does not resolve: \(target.host) (NXDOMAIN, a name under .invalid)")
        }

        var requestHeaders = HTTPHeaders([("User-Agent", "greenlight/\(GreenlightVersion.current)")])
        for header in spec.headers { requestHeaders.replaceOrAdd(name: header.key, value: header.value) }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url, method: .GET, headers: requestHeaders)
        } catch {
            return .error("\(shown) is not an http or https URL")
        }
        var details = ["GET \(shown)"]
        if !spec.headers.isEmpty {
            details.append("request headers: " + spec.headers.map(\.key).joined(separator: ", "))
        }

        let answer: HTTPAnswer
        let seconds: Double
        do {
            (answer, seconds) = try await fetch(request, from: target, shown: shown, tls: scheme == "https")
        } catch {
            return .fail(await describeHTTP(error, target: target), details: details)
        }
        let status = Int(answer.head.status.code)
        let reason = answer.head.status.reasonPhrase
        let headers = answer.head.headers.map { (name: $0.name, value: $0.value) }
        let body = Array(answer.body.readableBytesView)
        var measurements: [CheckResult.Measurement] = [.milliseconds("latency_ms", seconds)]
        details.append("status: \(status) \(reason)")
        details.append("time: \(Format.duration(seconds))")

        let rateLimit = RateLimit(headers: headers)
        if let rateLimit {
            details.append("rate limit: \(rateLimit.description)")
            measurements.append(
                .init(name: "rate_limit_remaining", value: Double(rateLimit.remaining), unit: "requests"))
            if let limit = rateLimit.limit {
                measurements.append(.init(name: "rate_limit_limit", value: Double(limit), unit: "requests"))
            }
        }

        if let problem = statusProblem(status, headers: headers) {
            let snippet = String(decoding: body, as: UTF8.self).split(whereSeparator: \.isNewline).joined(
                separator: " ")
            // Mask first, then cut: a cut inside a secret would show its first characters.
            let sent = spec.headers.flatMap { SecretSink.revealed(header: $0.key, value: $0.value) }
            let masked = Redactor(secrets: settings.secrets + sent).redact(snippet)
            if !masked.isEmpty { details.append("body: \(masked.prefix(200))") }
            return .fail(problem, details: details, measurements: measurements)
        }
        if let budget = spec.latency, !budget.allows(seconds) {
            return .fail(
                "answered \(status) in \(Format.duration(seconds)), over the latency budget \(budget)",
                details: details,
                measurements: measurements)
        }
        if scheme == "https", let minDaysValid = spec.minDaysValid {
            progress.phase = "checking the certificate of \(target)"
            do {
                let inspection = try await inspectCertificate(at: target)
                let certificate = certificateOutcome(inspection, minDaysValid: minDaysValid)
                measurements += certificate.measurements.filter { $0.name == "days_valid" }
                if certificate.status != .pass {
                    return ProbeOutcome(
                        status: certificate.status, summary: certificate.summary,
                        details: details + certificate.details,
                        measurements: measurements)
                }
                details.append(certificate.summary)
            } catch {
                return .fail(describe(error), details: details, measurements: measurements)
            }
        }
        if let low = rateLimit?.lowReason(minimum: spec.rateLimitMinRemaining) {
            return .warn(low, details: details, measurements: measurements)
        }
        return .pass("answered \(status) in \(Format.duration(seconds))", details: details, measurements: measurements)
    }

    /// Why `status` is not what the spec expects, or nil when it is.
    func statusProblem(_ status: Int, headers: [(name: String, value: String)]) -> String? {
        let expected = spec.status.map(String.init) ?? "2xx"
        if let wanted = spec.status, wanted == status { return nil }
        if spec.status == nil, (200..<300).contains(status) { return nil }
        if status == 401 || status == 403 { return "authentication failed (\(status)); expected \(expected)" }
        if (300..<400).contains(status),
            let location = headers.first(where: { $0.name.caseInsensitiveCompare("Location") == .orderedSame })
        {
            return
                "answered \(status), a redirect to \(DisplayURL.withoutPassword(location.value)); expected \(expected)"
        }
        return "answered \(status); expected \(expected)"
    }

    /// GETs `request` with a client of its own, every stage before the check's deadline, keeping
    /// the first 1024 bytes of the body (the 200 characters a message shows, and a secret they may
    /// end inside of, to be masked whole); ``ProbeProgress/phase`` follows the stages. The seconds
    /// run from sending to the last byte of the body.
    func fetch(_ request: HTTPClient.Request, from target: HostPort, shown: String, tls: Bool) async throws
        -> (answer: HTTPAnswer, seconds: Double)
    {
        let progress = progress
        let phase: @Sendable (HTTPStage) -> String = { stage in
            switch stage {
            case .connecting:
                return tls ? "connecting to \(target) (TCP connect or TLS handshake)" : "connecting to \(target)"
            case .sending:
                return "sending the request to \(shown)"
            case .waiting:
                return "waiting for \(shown) to answer"
            case .readingBody(let received, let expected):
                let of = expected.map { " of \($0)" } ?? ""
                return "reading the body of the answer from \(shown) (\(received)\(of) bytes received)"
            }
        }
        progress.phase = phase(.connecting)
        let client = makeHTTPClient()
        let started = ContinuousClock.now
        let result: Result<(answer: HTTPAnswer, seconds: Double), any Error>
        do {
            let answer = try await client.exchange(request, deadline: .now() + timeLeft, body: .keepFirst(1024)) {
                progress.phase = phase($0)
            }
            result = .success((answer, Self.seconds(.now - started)))
        } catch {
            result = .failure(error)
        }
        await Self.shutDown(client)
        return try result.get()
    }

    /// A client for this check alone: its trust, no redirects, and a connect timeout that ends with
    /// the check's deadline, so that no connection outlives the check by more than that.
    func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: settings.tlsConfiguration(), redirectConfiguration: .disallow,
            decompression: .disabled)
        // A refused connection fails the request at once instead of being retried until its deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        configuration.timeout.connect = max(timeLeft, .milliseconds(1))
        return HTTPClient(
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
    }

    /// Shuts the client down, answering on a queue of its own: the global queues may be busy.
    static func shutDown(_ client: HTTPClient) async {
        await withCheckedContinuation { continuation in
            client.shutdown(queue: shutdownQueue) { _ in continuation.resume() }
        }
    }

    private static let shutdownQueue = DispatchQueue(label: "greenlight.dependencies.http-shutdown")

    /// The reason an HTTP request failed; a refused certificate is inspected to say why.
    func describeHTTP(_ error: any Error, target: HostPort) async -> String {
        if error is HTTPDeadlineExceeded || error is CancellationError { return timeoutReason }
        if let error = error as? HTTPRequestRefused { return "request not sent: \(error.description)" }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .connectTimeout, .readTimeout, .cancelled: return timeoutReason
            case .remoteConnectionClosed: return "connection closed by \(target) before it answered"
            default: return "request failed: \(error)"
            }
        }
        if TLSErrorText.isVerificationFailure(error) {
            progress.phase = "capturing the certificate of \(target) to explain why it was refused"
            if let inspection = try? await inspectCertificate(at: target), !inspection.problems.isEmpty {
                return inspection.problems.joined(separator: "; ")
            }
            return "TLS handshake with \(target) failed: certificate refused (\(TLSErrorText.reason(error)))"
        }
        return describe(error)
    }
}
