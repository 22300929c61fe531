import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightProbes

/// The tls kind against NIOSSL servers on loopback, with certificates made in the test.
@Suite("TLS dependencies")
struct TLSDependencyTests {
    typealias Fixtures = DependencyFixtures

    static let day = 86_400.0
    /// 2020-01-01 to 2020-02-01: long expired.
    static let expiredFrom = Date(timeIntervalSince1970: 1_577_836_800)
    static let expiredUntil = Date(timeIntervalSince1970: 1_580_515_200)

    /// Serves `certificate` and checks it as host `host`, trusting it when `trusted`.
    func check(
        _ certificate: TestCertificate, host: String = "localhost", trusted: Bool = true,
        insecure: Bool = false, minDaysValid: Int? = nil
    ) async throws -> CheckResult {
        let server = try await LoopbackHTTPServer(.answer(.init()), certificate: certificate)
        var prober = DependencyProber()
        if trusted { prober.trustRoots = [certificate.certificatePath] }
        prober.insecure = insecure
        let result = await prober.result(
            of: .make("edge", .tls) {
                $0.host = host
                $0.port = server.port
                $0.minDaysValid = minDaysValid
            })
        await server.shutdown()
        return result
    }

    @Test("an expired certificate, otherwise trusted, says expired on its day")
    func expiredTrusted() async throws {
        let certificate = try await TestCertificate.make(
            notBefore: Self.expiredFrom, notAfter: Self.expiredUntil)
        defer { certificate.remove() }
        let result = try await check(certificate)
        #expect(result.status == .fail)
        #expect(result.summary == "certificate expired on 2020-02-01")
        #expect(result.details.contains("valid from 2020-01-01 to 2020-02-01"))
        #expect((result.measurement("days_valid") ?? 0) < -2000)
    }

    @Test("an expired self-signed certificate, not trusted, names both problems")
    func expiredUntrusted() async throws {
        let certificate = try await TestCertificate.make(
            notBefore: Self.expiredFrom, notAfter: Self.expiredUntil)
        defer { certificate.remove() }
        let result = try await check(certificate, trusted: false)
        #expect(result.status == .fail)
        #expect(result.summary == "certificate expired on 2020-02-01; self-signed certificate, not trusted")
    }

    @Test("a valid self-signed certificate that is not trusted says so")
    func untrusted() async throws {
        let certificate = try await TestCertificate.make(
            notBefore: Date().addingTimeInterval(-Self.day), notAfter: Date().addingTimeInterval(90 * Self.day))
        defer { certificate.remove() }
        let result = try await check(certificate, trusted: false)
        #expect(result.status == .fail)
        #expect(result.summary == "self-signed certificate, not trusted")
    }

    @Test("a certificate valid later says not yet valid")
    func notYetValid() async throws {
        let from = Date().addingTimeInterval(10 * Self.day)
        let certificate = try await TestCertificate.make(
            notBefore: from, notAfter: from.addingTimeInterval(90 * Self.day))
        defer { certificate.remove() }
        let result = try await check(certificate)
        #expect(result.status == .fail)
        #expect(result.summary == "certificate not yet valid (valid from \(TestCertificate.day(from)))")
    }

    @Test("a certificate for another name says hostname mismatch")
    func hostnameMismatch() async throws {
        let certificate = try await TestCertificate.make(
            commonName: "db.example", names: ["DNS:db.example", "DNS:*.db.example"],
            notBefore: Date().addingTimeInterval(-Self.day), notAfter: Date().addingTimeInterval(90 * Self.day))
        defer { certificate.remove() }
        let result = try await check(certificate, host: "127.0.0.1")
        #expect(result.status == .fail)
        #expect(result.summary == "hostname mismatch (certificate is for db.example, *.db.example, not 127.0.0.1)")
    }

    @Test("a trusted certificate passes with its days left")
    func valid() async throws {
        let until = Date().addingTimeInterval(90 * Self.day + 3600)
        let certificate = try await TestCertificate.make(
            notBefore: Date().addingTimeInterval(-Self.day), notAfter: until)
        defer { certificate.remove() }
        let result = try await check(certificate, minDaysValid: 30)
        #expect(result.status == .pass, "\(result.summary)")
        #expect(
            result.summary
                == "certificate valid for 90 days more (until \(TestCertificate.day(until))), for localhost")
        #expect(result.measurement("days_valid") == 90)
        #expect(result.details.contains("protocol: TLS 1.3"))
    }

    @Test(
        "the spec's own ca field, relative to the spec's folder, trusts the certificate; insecure accepts it untrusted")
    func perDependencyTrust() async throws {
        let certificate = try await TestCertificate.make(
            notBefore: Date().addingTimeInterval(-Self.day), notAfter: Date().addingTimeInterval(40 * Self.day))
        defer { certificate.remove() }
        let server = try await LoopbackHTTPServer(.answer(.init()), certificate: certificate)
        let folder = (certificate.certificatePath as NSString).deletingLastPathComponent
        var prober = DependencyProber()
        prober.directory = folder
        let trusted = await prober.result(
            of: .make("edge", .tls) {
                $0.host = "localhost"
                $0.port = server.port
                $0.ca = (certificate.certificatePath as NSString).lastPathComponent
            })
        let untrusted = await prober.result(
            of: .make("edge", .tls) {
                $0.host = "localhost"
                $0.port = server.port
            })
        let insecure = await prober.result(
            of: .make("edge", .tls) {
                $0.host = "localhost"
                $0.port = server.port
                $0.insecure = true
            })
        await server.shutdown()
        #expect(trusted.status == .pass, "\(trusted.summary)")
        #expect(untrusted.status == .fail, "\(untrusted.summary)")
        #expect(insecure.status == .pass || insecure.status == .warn, "\(insecure.summary)")
    }

    @Test("a valid certificate with fewer days left than min_days_valid fails with the days")
    func nearExpiry() async throws {
        let until = Date().addingTimeInterval(5 * Self.day + 3600)
        let certificate = try await TestCertificate.make(
            notBefore: Date().addingTimeInterval(-Self.day), notAfter: until)
        defer { certificate.remove() }
        let result = try await check(certificate, minDaysValid: 30)
        #expect(result.status == .fail)
        #expect(
            result.summary
                == "certificate expires in 5 days (on \(TestCertificate.day(until))), below the minimum of 30 days"
        )
        #expect(result.measurement("days_valid") == 5)
    }

    @Test("insecure mode accepts an expired certificate with a warning")
    func insecure() async throws {
        let certificate = try await TestCertificate.make(
            notBefore: Self.expiredFrom, notAfter: Self.expiredUntil)
        defer { certificate.remove() }
        let result = try await check(certificate, trusted: false, insecure: true)
        #expect(result.status == .warn)
        #expect(result.summary == "certificate expired on 2020-02-01 (accepted: certificate verification is off)")
    }

    @Test("a server that never starts the handshake times out")
    func timesOut() async {
        let silent = SilentListener()
        defer { silent.close() }
        let result = await DependencyProber().result(
            of: .make("edge", .tls, timeout: 1) {
                $0.host = "127.0.0.1"
                $0.port = silent.port
            })
        #expect(result.status == .fail)
        #expect(result.summary.hasPrefix("timed out after 1s while"), "\(result.summary)")
        #expect(result.summary.hasSuffix("127.0.0.1:\(silent.port)"), "\(result.summary)")
        #expect((0.8...1.2).contains(result.durationSeconds), "\(result.durationSeconds) s")
    }

    @Test("a closed port says connection refused")
    func refused() async {
        let port = Loopback.closedPort()
        let result = await DependencyProber().result(
            of: .make("edge", .tls) {
                $0.host = "127.0.0.1"
                $0.port = port
            })
        #expect(result.summary == "connection refused by 127.0.0.1:\(port)")
    }
}
