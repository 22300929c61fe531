import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightGate

@Suite("Redaction boundary")
struct RedactionBoundaryTests {
    static let secret = "s3cr3t-t0ken-value"

    static func report(with text: String) throws -> Report {
        let spec = try SpecFixtures.load(
            """
            version: 1
            service: { name: shop, version: 1.0.0, owner: "team-\(text)" }
            environments: { staging: { url: "http://127.0.0.1:1" } }
            risk: { likelihood: 1, impact: 1 }

            """, file: "release.yaml")
        let smoke = CheckResult(
            id: "smoke.\(text)", title: "Smoke: \(text)", category: .smoke, status: .fail, summary: "got \(text)",
            details: ["body: {\"Authorization\": \"Bearer \(text)\"}"],
            measurements: [.init(name: "step 1 ms", value: 12.5, unit: "ms")],
            evidence: [.init(kind: "url", reference: "http://127.0.0.1/?t=\(text)")])
        return Gate(spec: spec, policy: .standard, environment: "staging").evaluate(
            runners: [RunnerResult(feeds: nil, checks: [smoke])])
    }

    @Test(
        "every free-text string of the report is masked; ids, statuses and numbers stay; the digest is over what is shown"
    )
    func masksEveryString() throws {
        let boundary = RedactionBoundary(
            spec: nil,
            discovered: {
                let s = SecretSink()
                s.add(Self.secret)
                return s
            }())
        let raw = try Self.report(with: Self.secret)
        let masked = try boundary.report(raw)
        let json = String(decoding: masked.json(), as: UTF8.self)
        #expect(!json.replacingOccurrences(of: "\"smoke.\(Self.secret)\"", with: "").contains(Self.secret))
        let smoke = try #require(masked.checks.first { $0.category == .smoke })
        #expect(smoke.id == "smoke.\(Self.secret)")  // ids are shown as written (docs: no names from the environment)
        #expect(smoke.title == "Smoke: ***")
        #expect(smoke.details == ["body: {\"Authorization\": \"Bearer ***\"}"])
        #expect(masked.release.owner == "team-***")
        #expect(masked.verdict.reasons.contains("Smoke: ***: fail: got ***"))
        #expect(smoke.measurements == [.init(name: "step 1 ms", value: 12.5, unit: "ms")])
        #expect(masked.digest == masked.computeDigest())
        #expect(masked.digest != raw.digest)
    }

    @Test("a secret that is also one of greenlight's own words masks the texts, never the statuses or the verdict")
    func fixedWordsStay() throws {
        let boundary = RedactionBoundary(
            spec: nil,
            discovered: {
                let s = SecretSink()
                s.add("fail")
                return s
            }())
        let masked = try boundary.report(try Self.report(with: "x"))
        let smoke = try #require(masked.checks.first { $0.category == .smoke })
        #expect(smoke.status == .fail)
        #expect(masked.verdict.decision == .noGo)
        #expect(masked.verdict.reasons.contains("Smoke: x: ***: got x"), "\(masked.verdict.reasons)")
        #expect(masked.verdict.counts["fail"] != nil)
    }

    @Test("what a request header reveals: the whole value, the credential after the scheme, each cookie")
    func headers() {
        let sink = SecretSink()
        sink.add(header: "Authorization", value: "Bearer abc.def.ghi")
        sink.add(header: "proxy-authorization", value: "Basic dXNlcjpwYXNz")
        sink.add(header: "Cookie", value: "session=0123456789; theme=dark-mode")
        sink.add(header: "Accept", value: "application/json")
        sink.add(header: "Set-Cookie", value: "loggedin=true; Path=/")  // a secret once sent back as Cookie
        sink.add(header: "X-Api-Key", value: "k-12345")
        #expect(
            Set(sink.all)
                == [
                    "Bearer abc.def.ghi", "abc.def.ghi", "Basic dXNlcjpwYXNz", "dXNlcjpwYXNz",
                    "session=0123456789; theme=dark-mode", "0123456789", "dark-mode", "k-12345",
                ])
    }

    @Test(
        "capture names that read as secrets",
        arguments: [
            ("token", true), ("AccessToken", true), ("api_key", true), ("PASSWORD", true), ("sessionId", true),
            ("client_secret", true), ("order", false), ("sku", false), ("user", false),
        ])
    func secretNames(name: String, secret: Bool) {
        #expect(SecretSink.isSecretName(name) == secret)
    }
}

@Suite("Masking text that was cut")
struct CutSecretTests {
    @Test("a secret that a cut body ends in the middle of is masked too, not shown but for its last characters")
    func cutSecret() {
        let secret = "Kp9Zx7Qw2Lm!"
        let redactor = Redactor(secrets: [secret])
        // A 2 KB cut that falls inside the secret leaves its first 11 characters at the end of the line.
        let cut = String(repeating: "a", count: 30) + secret.dropLast()
        #expect(redactor.redact(cut) == String(repeating: "a", count: 30) + "***")
        #expect(redactor.redact("tail Kp9Z") == "tail ***")
        // Fewer than four characters of it are left alone, as are texts that only contain a start.
        #expect(redactor.redact("tail Kp9") == "tail Kp9")
        #expect(redactor.redact("Kp9Zx7 and more") == "Kp9Zx7 and more")
        #expect(redactor.redact("whole \(secret) here") == "whole *** here")
    }

    @Test("masked first, then cut: no start of a secret is left at the cut, of any length", arguments: 1...11)
    func maskThenCut(left: Int) {
        let secret = "Kp9Zx7Qw2Lm7"
        let redactor = Redactor(secrets: [secret])
        let body = String(repeating: "a", count: 2048 - left) + secret + " and more"
        let cut = redactor.cut(body, toUTF8Count: 2048)
        #expect(cut.utf8.count == 2048)
        #expect(cut.hasPrefix(String(repeating: "a", count: 2048 - left)))
        #expect(cut.dropFirst(2048 - left).hasPrefix(String("***".prefix(left))), "\(cut.suffix(12))")
        #expect(!cut.contains(secret.prefix(1)), "\(cut.suffix(12))")
    }
}

@Suite("Secrets as library error texts quote them")
struct QuotedSecretTests {
    @Test("a secret ending in CR is masked where an error shows it escaped, or trimmed")
    func trailingCarriageReturn() {
        let redactor = Redactor(secrets: ["Kp9Zx7Qw2Lm\r"])
        let error = #"HTTPClientError.invalidHeaderFieldValues(["Bearer Kp9Zx7Qw2Lm\r"])"#
        #expect(!redactor.redact(error).contains("Kp9Zx7Qw2Lm"), "\(redactor.redact(error))")
        #expect(redactor.redact("token Kp9Zx7Qw2Lm.") == "token ***.")
    }

    @Test("a secret with a control character inside is masked where it is shown escaped")
    func innerControlCharacter() {
        let redactor = Redactor(secrets: ["Kp9Z\u{1B}x7Qw"])
        #expect(redactor.redact(#"value "Kp9Z\u{1B}x7Qw""#) == #"value "***""#)
    }
}
