import Foundation

/// What a metrics endpoint exposed: its metric families in the order they came, each with its samples.
public struct Exposition: Sendable, Equatable {
    /// The format the text was read in.
    public var format: ExpositionFormat
    public var families: [MetricFamily]

    public init(format: ExpositionFormat, families: [MetricFamily]) {
        self.format = format
        self.families = families
    }

    /// The family named exactly `name`.
    public func family(named name: String) -> MetricFamily? {
        families.first { $0.name == name }
    }
}

/// A text format of metrics.
public enum ExpositionFormat: String, Sendable, Hashable, CaseIterable {
    /// The Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`).
    case prometheusText = "text/plain; version=0.0.4"
    /// OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0`), which ends with `# EOF`.
    case openMetrics = "application/openmetrics-text; version=1.0.0"
    /// Not text: families read through a Prometheus server's HTTP API (``PrometheusMetricsReader``).
    /// ``ExpositionParser`` refuses it.
    case prometheusAPI = "application/json"

    /// The format a `Content-Type` names; nil when it names neither.
    public init?(contentType: String?) {
        guard let contentType else { return nil }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        switch mediaType.trimmingCharacters(in: .whitespaces).lowercased() {
        case "application/openmetrics-text": self = .openMetrics
        case "text/plain": self = .prometheusText
        default: return nil
        }
    }

    /// How the format is called in messages.
    public var name: String {
        switch self {
        case .prometheusText: "Prometheus text 0.0.4"
        case .openMetrics: "OpenMetrics 1.0"
        case .prometheusAPI: "Prometheus HTTP API"
        }
    }
}

/// The type a family declares with `# TYPE`.
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    case counter
    case gauge
    case histogram
    case summary
    /// OpenMetrics only.
    case gaugehistogram
    /// OpenMetrics only.
    case stateset
    /// OpenMetrics only.
    case info
    /// No `# TYPE` line, OpenMetrics' `unknown` or Prometheus text's `untyped`.
    case unknown
}

/// A metric family: its metadata and its samples. The samples of a histogram or a summary are all its
/// series' `_bucket`, `_sum` and `_count` (and OpenMetrics' `_created`, `_gcount`, `_gsum`) lines; those
/// of an OpenMetrics counter `x` are named `x_total` and `x_created`.
public struct MetricFamily: Sendable, Equatable {
    public var name: String
    public var type: MetricType
    public var help: String?
    public var unit: String?
    public var samples: [Sample]

    public init(name: String, type: MetricType, help: String? = nil, unit: String? = nil, samples: [Sample] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }

    /// A label of a sample or an exemplar, in the order the text gave.
    public struct Label: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// An exemplar attached to a sample (OpenMetrics): `# {trace_id="…"} 1.0 123`.
    public struct Exemplar: Sendable, Equatable {
        public var labels: [Label]
        public var value: Double
        /// Seconds since the epoch.
        public var timestamp: Double?

        public init(labels: [Label], value: Double, timestamp: Double? = nil) {
            self.labels = labels
            self.value = value
            self.timestamp = timestamp
        }
    }

    /// One line of a family: `http_requests_total{method="GET"} 1027 1395066363000`.
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [Label]
        public var value: Double
        /// Seconds since the epoch (Prometheus text gives milliseconds; they are converted).
        public var timestamp: Double?
        public var exemplar: Exemplar?

        public init(
            name: String, labels: [Label], value: Double, timestamp: Double? = nil, exemplar: Exemplar? = nil
        ) {
            self.name = name
            self.labels = labels
            self.value = value
            self.timestamp = timestamp
            self.exemplar = exemplar
        }

        /// The value of the label `name`, if the sample has it.
        public func label(_ name: String) -> String? {
            labels.first { $0.name == name }?.value
        }

        /// The sample as Prometheus writes a series: `http_requests_total{method="GET",route="/"}`.
        public var series: String {
            guard !labels.isEmpty else { return name }
            return name + "{" + labels.map { "\($0.name)=\"\(Self.escaped($0.value))\"" }.joined(separator: ",") + "}"
        }

        static func escaped(_ value: String) -> String {
            guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return value }
            var out = ""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\\": out += "\\\\"
                case "\"": out += "\\\""
                case "\n": out += "\\n"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
    }

    /// The sample names a family of `type` named `family` may carry: the suffixes after the family's
    /// name ("" for the name itself).
    static func suffixes(of type: MetricType) -> [String] {
        switch type {
        case .counter: ["", "_total", "_created"]
        case .histogram: ["_bucket", "_count", "_sum", "_created"]
        case .gaugehistogram: ["_bucket", "_gcount", "_gsum"]
        case .summary: ["", "_count", "_sum", "_created"]
        case .info: ["_info", ""]
        case .gauge, .stateset, .unknown: [""]
        }
    }
}
