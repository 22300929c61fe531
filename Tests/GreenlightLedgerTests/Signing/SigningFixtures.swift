import Foundation
import GreenlightTestSupport

@testable import GreenlightCore
@testable import GreenlightLedger

/// Keys, registrations and a report for the signing and attestation tests.
enum SigningFixtures {
    static let digest = "sha256:" + String(repeating: "5e", count: 32)
    static let otherDigest = "sha256:" + String(repeating: "a7", count: 32)
    static let release = "checkout@2.14.0"
    static let date = Date(timeIntervalSince1970: 1_950_000_000)

    /// A GO report for checkout 2.14.0 in risk class high.
    static func report() -> Report {
        var spec = RiskSpec(reading: ObjectReader(nil, RiskSpec.schema))
        spec.likelihood = 3
        spec.impact = 4
        var report = Report(
            generator: .init(name: "greenlight", version: "0.1.0"), generatedAt: "2031-10-12T08:00:00Z",
            release: .init(service: "checkout", version: "2.14.0", owner: "payments", author: "alice"),
            spec: .init(file: "release.yaml", sha256: String(repeating: "c3", count: 32)), policy: "built-in",
            verdict: .init(decision: .go, reasons: [], counts: ["pass": 1]),
            risk: RiskAssessment(spec: spec, policy: .standard), checks: [], digest: nil)
        report.digest = report.computeDigest()
        return report
    }

    /// `name` registered by `admin` for `roles`.
    static func signer(_ name: String, roles: [String], admin: SigningKey) throws -> (SigningKey, SignerRegistration) {
        let key = SigningKey.generate(name: name)
        let registration = try SignerRegistration.register(
            name: name, roles: roles, key: key.publicKey, at: date, admin: admin)
        return (key, registration)
    }

    /// `key`'s sign-off of `digest` for `role`.
    static func signOff(
        _ key: SigningKey, role: String, digest: String = digest, release: String = release,
        decision: SignOff.Decision = .approve
    ) throws -> SignedSignOff {
        try SignOff(
            signer: key.name, role: role, decision: decision, comment: "dashboards and runbook checked", at: date,
            release: release, reportDigest: digest
        ).signed(by: key)
    }

    /// The file's permission bits.
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as! NSNumber).intValue & 0o777
    }
}
