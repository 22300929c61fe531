import AsyncHTTPClient
import Foundation
import GreenlightCore
import NIOCore

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
        guard let httpClient else { return .error("no HTTP client for \(shown)") }
        var bareHost = host
        if bareHost.hasPrefix("["), bareHost.hasSuffix("]") { bareHost = String(bareHost.dropFirst().dropLast()) }
        let target = HostPort(host: bareHost, port: parsed.port ?? (scheme == "https" ? 443 : 80))
        progress.target = target.description
        if target.isInvalidName {
            return .fail("host does not resolve: \(target.host) (NXDOMAIN, a name under .invalid)")
        }

        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "greenlight/\(GreenlightVersion.current)")
        for header in spec.headers { request.headers.replaceOrAdd(name: header.key, value: header.value) }
        var details = ["GET \(shown)"]
        if !spec.headers.isEmpty {
            details.append("request headers: " + spec.headers.map(\.key).joined(separator: ", "))
        }

        progress.phase = "waiting for \(shown) to answer"
        let started = ContinuousClock.now
        let status: Int
        let reason: String
        let headers: [(name: String, value: String)]
        var body: [UInt8] = []
        do {
            let response = try await httpClient.execute(request, timeout: timeLeft)
            status = Int(response.status.code)
            reason = response.status.reasonPhrase
            headers = response.headers.map { ($0.name, $0.value) }
            progress.phase = "reading the body of the answer from \(shown)"
            for try await chunk in response.body where body.count < 512 {
                body += chunk.readableBytesView.prefix(512 - body.count)
            }
        } catch {
            return .fail(await describeHTTP(error, target: target), details: details)
        }
        let seconds = Self.seconds(.now - started)
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
            if !snippet.isEmpty { details.append("body: \(snippet.prefix(200))") }
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

    /// The reason an HTTP request failed; a refused certificate is inspected to say why.
    func describeHTTP(_ error: any Error, target: HostPort) async -> String {
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
