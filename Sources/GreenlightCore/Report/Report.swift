import Crypto
import Foundation

/// The readiness report: the verdict, the risk, and every check with its evidence.
/// Its JSON form is versioned (``formatVersion``) and documented in docs/report-format.md;
/// its ``digest`` is what sign-offs bind to.
public struct Report: Codable, Sendable, Hashable {
    public static let format = "greenlight-report"
    public static let formatVersion = 1

    public var format: String = Report.format
    public var formatVersion: Int = Report.formatVersion
    public var generator: Generator
    public var generatedAt: String
    public var release: Release
    public var spec: SpecReference
    public var policy: String
    public var verdict: Verdict
    public var risk: RiskAssessment
    public var checks: [CheckResult]
    /// The load test's per-second series, when `check` ran one (or read one with --load-result).
    public var loadTimeline: LoadTimeline?
    /// `sha256:` and the hex SHA-256 of the canonical JSON of this report without its digest.
    public var digest: String?

    public struct Generator: Codable, Sendable, Hashable {
        public var name: String
        public var version: String
    }

    public struct Release: Codable, Sendable, Hashable {
        public var service: String
        public var version: String
        public var owner: String
        public var author: String?
        public var ticket: String?
        public var environment: String?
    }

    public struct SpecReference: Codable, Sendable, Hashable {
        public var file: String
        public var sha256: String
    }

    public struct Verdict: Codable, Sendable, Hashable {
        public enum Decision: String, Codable, Sendable {
            case go = "GO"
            case noGo = "NO-GO"
        }
        public var decision: Decision
        /// Why, one line per blocking check; empty for GO.
        public var reasons: [String]
        public var counts: [String: Int]
    }

    public var isGo: Bool { verdict.decision == .go }

    /// The report as canonical JSON: sorted keys, no whitespace, digest left out.
    public func canonicalJSON() -> Data {
        var copy = self
        copy.digest = nil
        return (try? Self.encoder(pretty: false).encode(copy)) ?? Data()
    }

    public func computeDigest() -> String {
        "sha256:" + Hashing.sha256Hex(canonicalJSON())
    }

    /// The report as indented JSON with its digest, as written to report.json.
    public func json() -> Data {
        (try? Self.encoder(pretty: true).encode(self)) ?? Data()
    }

    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads a report.json; refuses another format or a newer format version than this greenlight knows.
    public static func decode(_ data: Data) throws -> Report {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        struct Header: Decodable {
            var format: String?
            var formatVersion: Int?
        }
        let header = try decoder.decode(Header.self, from: data)
        guard header.format == Report.format else {
            throw FormatError(
                description: "not a greenlight report (format is \(header.format.map { "'\($0)'" } ?? "missing"))")
        }
        guard let version = header.formatVersion, version <= Report.formatVersion else {
            throw FormatError(
                description:
                    "report format version \(header.formatVersion.map(String.init) ?? "missing") is newer than this greenlight reads (\(Report.formatVersion)); upgrade greenlight"
            )
        }
        return try decoder.decode(Report.self, from: data)
    }

    /// The encoder of every greenlight JSON output: snake_case keys, sorted.
    public static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

public enum GreenlightVersion {
    public static let current = "0.1.0"
}
