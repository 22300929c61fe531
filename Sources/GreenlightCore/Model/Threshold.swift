/// A pass/fail criterion on a load-test measurement, written as k6 writes them: `p99 < 300ms`,
/// `error_rate < 0.1%`, `rps >= 1200`, `target.cpu < 80%`, `target.rss < 1GiB`.
public struct Threshold: Sendable, Hashable, CustomStringConvertible {
    public enum Metric: Sendable, Hashable {
        /// A latency percentile (50, 90, 99.9 …); 100 is the maximum.
        case latencyPercentile(Double)
        case latencyMean
        case errorRate
        case requestsPerSecond
        case droppedIterations
        case targetCPU
        case targetRSS
        case targetReadBytes
        case targetWriteBytes
        case targetOpenFiles
        case targetThreads
    }

    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case equal = "=="
        case notEqual = "!="

        public func holds(_ measured: Double, _ limit: Double) -> Bool {
            switch self {
            case .less: return measured < limit
            case .lessOrEqual: return measured <= limit
            case .greater: return measured > limit
            case .greaterOrEqual: return measured >= limit
            case .equal: return measured == limit
            case .notEqual: return measured != limit
            }
        }
    }

    public struct ParseError: Error, Sendable {
        public var message: String
    }

    public var metric: Metric
    public var comparison: Comparison
    /// In base units: seconds for latency, a fraction for rates (0.001 = 0.1 %), bytes, percent of one core for CPU.
    public var limit: Double
    public var text: String

    public var description: String { text }

    static let metricNames = [
        "p50", "p75", "p90", "p95", "p99", "p99.9", "p99.99", "max", "avg", "mean", "error_rate", "rps", "dropped",
        "target.cpu", "target.rss", "target.read_bytes", "target.write_bytes", "target.open_files", "target.threads",
    ]

    public init(parsing raw: String) throws(ParseError) {
        let text = raw.trimmingCharacters(in: .whitespaces)
        self.text = text
        let scalars = Array(text.unicodeScalars)
        var i = 0
        var name = ""
        while i < scalars.count,
            scalars[i].properties.isAlphabetic || ("0"..."9").contains(scalars[i])
                || "._".unicodeScalars.contains(scalars[i])
        {
            name.unicodeScalars.append(scalars[i])
            i += 1
        }
        while i < scalars.count, scalars[i] == " " { i += 1 }
        var op = ""
        while i < scalars.count, "<>=!".unicodeScalars.contains(scalars[i]) {
            op.unicodeScalars.append(scalars[i])
            i += 1
        }
        while i < scalars.count, scalars[i] == " " { i += 1 }
        var number = ""
        while i < scalars.count, ("0"..."9").contains(scalars[i]) || scalars[i] == "." {
            number.unicodeScalars.append(scalars[i])
            i += 1
        }
        while i < scalars.count, scalars[i] == " " { i += 1 }
        let unit = String(String.UnicodeScalarView(scalars[i...])).trimmingCharacters(in: .whitespaces)

        guard !name.isEmpty else {
            throw ParseError(message: "must be 'METRIC OP VALUE', such as 'p99 < 300ms' or 'error_rate < 0.1%'")
        }
        guard let comparison = Comparison(rawValue: op) else {
            throw ParseError(
                message: op.isEmpty
                    ? "needs a comparison after '\(name)': <, <=, >, >=, == or !=, as in 'p99 < 300ms'"
                    : "'\(op)' is not a comparison; use <, <=, >, >=, == or !=, as in 'p99 < 300ms'")
        }
        self.comparison = comparison
        guard !number.isEmpty, let value = Double(number) else {
            throw ParseError(message: "needs a number after '\(op)', as in 'p99 < 300ms'")
        }
        switch name {
        case "max": metric = .latencyPercentile(100)
        case "avg", "mean": metric = .latencyMean
        case "error_rate": metric = .errorRate
        case "rps": metric = .requestsPerSecond
        case "dropped": metric = .droppedIterations
        case "target.cpu": metric = .targetCPU
        case "target.rss": metric = .targetRSS
        case "target.read_bytes": metric = .targetReadBytes
        case "target.write_bytes": metric = .targetWriteBytes
        case "target.open_files": metric = .targetOpenFiles
        case "target.threads": metric = .targetThreads
        default:
            if name.hasPrefix("p"), let p = Double(name.dropFirst()), p > 0, p < 100 {
                metric = .latencyPercentile(p)
            } else {
                let hint = Suggest.closest(to: name, among: Self.metricNames).map { "; did you mean '\($0)'?" } ?? ""
                throw ParseError(
                    message:
                        "unknown metric '\(name)'\(hint) (metrics: p50 … p99.9, max, avg, error_rate, rps, dropped, target.cpu, target.rss, …)"
                )
            }
        }
        limit = try Self.normalize(value, unit: unit, for: metric, name: name)
    }

    static func normalize(_ value: Double, unit: String, for metric: Metric, name: String) throws(ParseError) -> Double
    {
        switch metric {
        case .latencyPercentile, .latencyMean:
            let factors: [String: Double] = ["us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60]
            guard let factor = factors[unit] else {
                throw ParseError(message: "\(name) is a latency: give a unit, ms, s or us, as in '\(name) < 300ms'")
            }
            return value * factor
        case .errorRate:
            if unit == "%" { return value / 100 }
            guard unit.isEmpty, value <= 1 else {
                throw ParseError(
                    message:
                        "error_rate is a share of requests: write it as a percentage ('< 0.1%') or a fraction ('< 0.001')"
                )
            }
            return value
        case .targetCPU:
            guard unit == "%" else {
                throw ParseError(message: "target.cpu is a percentage of one core: write it as '< 80%'")
            }
            return value
        case .targetRSS, .targetReadBytes, .targetWriteBytes:
            let factors: [String: Double] = [
                "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824,
            ]
            guard let factor = factors[unit] else {
                throw ParseError(
                    message: "\(name) is a size: give a unit, B, KiB, MiB, GiB (or KB, MB, GB), as in '\(name) < 1GiB'")
            }
            return value * factor
        case .requestsPerSecond, .droppedIterations, .targetOpenFiles, .targetThreads:
            guard unit.isEmpty else { throw ParseError(message: "\(name) is a plain number; drop the unit '\(unit)'") }
            return value
        }
    }
}
