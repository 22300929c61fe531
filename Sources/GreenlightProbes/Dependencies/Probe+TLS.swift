import Foundation
import GreenlightCore
import GreenlightHTTP
import NIOCore
import NIOPosix
import NIOSSL

/// What a TLS handshake showed about a server's certificate.
struct CertificateInspection: Sendable {
    var facts: CertificateFacts
    /// Why the certificate is refused, most telling first; empty when it was accepted.
    var problems: [String]
    var version: TLSVersion?
    var handshakeSeconds: Double
}

extension Probe {
    /// Handshakes with `host:port` and judges the certificate: trust, hostname, days to expiry.
    func checkTLS() async -> ProbeOutcome {
        var host = spec.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let target = HostPort(host: host, port: spec.port ?? 443)
        do {
            return certificateOutcome(try await inspectCertificate(at: target), minDaysValid: spec.minDaysValid)
        } catch {
            return .fail(describe(error))
        }
    }

    /// Pass with the days left; fail with the problems, or when fewer days are left than `minDaysValid`.
    func certificateOutcome(_ inspection: CertificateInspection, minDaysValid: Int?) -> ProbeOutcome {
        let facts = inspection.facts
        let days = facts.daysLeft(at: Int(time(nil)))
        var details = facts.details
        if let version = inspection.version { details.append("protocol: \(Self.name(of: version))") }
        let measurements: [CheckResult.Measurement] = [
            .milliseconds("handshake_ms", inspection.handshakeSeconds),
            CheckResult.Measurement(name: "days_valid", value: Double(days), unit: "days"),
        ]
        if !inspection.problems.isEmpty {
            let summary = inspection.problems.joined(separator: "; ")
            if settings.insecure {
                return .warn(
                    summary + " (accepted: certificate verification is off)", details: details,
                    measurements: measurements)
            }
            return .fail(summary, details: details, measurements: measurements)
        }
        let until = CertificateFacts.day(facts.notAfter)
        if let minDaysValid, days < minDaysValid {
            return .fail(
                "certificate expires in \(Self.days(days)) (on \(until)), below the minimum of \(Self.days(minDaysValid))",
                details: details, measurements: measurements)
        }
        return .pass(
            "certificate valid for \(Self.days(days)) more (until \(until)), for \(facts.names.first ?? facts.subject)",
            details: details, measurements: measurements)
    }

    /// Handshakes with full verification; when the certificate is refused, handshakes again to
    /// capture it and name the problems (expired, not yet valid, hostname, trust).
    func inspectCertificate(at target: HostPort) async throws -> CertificateInspection {
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: settings.tlsConfiguration())
        } catch {
            throw ProbeFailure(
                reason: "cannot load the trust roots \(settings.trustRoots.joined(separator: ", ")): \(error)")
        }
        let serverName = Resolver.addressBytes(target.host) == nil ? target.host : nil
        let started = ContinuousClock.now
        do {
            let handshake = try await handshake(with: target, context: context, serverName: serverName)
            let seconds = Self.seconds(.now - started)
            guard let certificate = handshake.certificate else {
                throw ProbeFailure(reason: "\(target) completed the TLS handshake without a certificate")
            }
            let facts = CertificateFacts(certificate)
            // Verification passed, or is off: then name what it would have found.
            let problems = settings.insecure ? datesAndName(of: facts, host: target.host) : []
            return CertificateInspection(
                facts: facts, problems: problems, version: handshake.version, handshakeSeconds: seconds)
        } catch let error where TLSErrorText.isVerificationFailure(error) {
            let seconds = Self.seconds(.now - started)
            progress.phase = "capturing the certificate of \(target) to explain why it was refused"
            let chain = try await capturePeerChain(at: target, serverName: serverName)
            guard let leaf = chain.first else {
                throw ProbeFailure(reason: "\(target) sent no certificate")
            }
            let facts = CertificateFacts(leaf)
            let hostnameOnly = (error as? NIOSSLExtraError) == .failedToValidateHostname
            var problems = datesAndName(of: facts, host: target.host)
            if !hostnameOnly {
                if facts.selfSigned && !customRoots().contains(leaf) {
                    problems.append("self-signed certificate, not trusted")
                } else if problems.isEmpty {
                    problems.append(
                        "certificate not trusted (issued by \(facts.issuer), which is not a trusted authority)")
                }
            } else if problems.isEmpty {
                problems.append("hostname mismatch (certificate is for \(facts.names.joined(separator: ", ")))")
            }
            return CertificateInspection(facts: facts, problems: problems, version: nil, handshakeSeconds: seconds)
        }
    }

    /// Expiry, not-yet-valid and hostname problems, which a certificate shows by itself.
    func datesAndName(of facts: CertificateFacts, host: String) -> [String] {
        var problems: [String] = []
        let now = Int(time(nil))
        if facts.notAfter < now { problems.append("certificate expired on \(CertificateFacts.day(facts.notAfter))") }
        if facts.notBefore > now {
            problems.append("certificate not yet valid (valid from \(CertificateFacts.day(facts.notBefore)))")
        }
        if !facts.matches(host: host) {
            let names = facts.names.isEmpty ? "no name" : facts.names.joined(separator: ", ")
            problems.append("hostname mismatch (certificate is for \(names), not \(host))")
        }
        return problems
    }

    /// The certificates of ``ProbeSettings/trustRoots`` that load.
    func customRoots() -> [NIOSSLCertificate] {
        settings.trustRoots.flatMap { (try? NIOSSLCertificate.fromPEMFile($0)) ?? [] }
    }

    /// A TLS handshake with `context`: the server's certificate and protocol, or the handshake's error.
    private func handshake(
        with target: HostPort, context: NIOSSLContext, serverName: String?
    ) async throws -> TLSHandshakeWatcher.Handshake {
        let done = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: TLSHandshakeWatcher.Handshake.self)
        defer { done.fail(ChannelError.alreadyClosed) }  // a no-op once completed
        let channel = try await connect(to: target) { channel in
            channel.eventLoop.makeCompletedFuture {
                let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                try channel.pipeline.syncOperations.addHandler(handler)
                try channel.pipeline.syncOperations.addHandler(TLSHandshakeWatcher(promise: done))
            }
        }
        progress.phase = "waiting for the TLS handshake with \(target)"
        return try await using(channel) { try await done.futureResult.get() }
    }

    /// The certificate chain the server presents, captured by a verification callback that then
    /// refuses it, so the handshake ends there.
    private func capturePeerChain(at target: HostPort, serverName: String?) async throws -> [NIOSSLCertificate] {
        var configuration = settings.tlsConfiguration()
        configuration.certificateVerification = .fullVerification  // the callback runs only when verifying
        let context = try NIOSSLContext(configuration: configuration)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let captured = loop.makePromise(of: [NIOSSLCertificate].self)
        let done = loop.makePromise(of: TLSHandshakeWatcher.Handshake.self)
        defer {
            captured.fail(ChannelError.alreadyClosed)
            done.fail(ChannelError.alreadyClosed)
        }
        done.futureResult.whenFailure { captured.fail($0) }
        let channel = try await connect(to: target) { channel in
            channel.eventLoop.makeCompletedFuture {
                let handler = try NIOSSLClientHandler(
                    context: context, serverHostname: serverName,
                    customVerificationCallback: { chain, verdict in
                        captured.succeed(chain)
                        verdict.succeed(.failed)
                    })
                try channel.pipeline.syncOperations.addHandler(handler)
                try channel.pipeline.syncOperations.addHandler(TLSHandshakeWatcher(promise: done))
            }
        }
        return try await using(channel) { try await captured.futureResult.get() }
    }

    static func days(_ count: Int) -> String { count == 1 || count == -1 ? "\(count) day" : "\(count) days" }

    static func name(of version: TLSVersion) -> String {
        switch version {
        case .tlsv1: return "TLS 1.0"
        case .tlsv11: return "TLS 1.1"
        case .tlsv12: return "TLS 1.2"
        case .tlsv13: return "TLS 1.3"
        }
    }
}
