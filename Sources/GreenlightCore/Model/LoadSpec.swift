/// The load test: a weighted mix of requests or sessions at a multiple of the expected peak, sustained.
public struct LoadSpec: SpecObject {
    public enum Model: String, Sendable, CaseIterable, Codable {
        /// Requests or iterations start on schedule at a target arrival rate, whatever the response times.
        case open
        /// A fixed number of virtual users loop as fast as responses (and think time) allow.
        case closed
    }

    /// The highest arrival rate the load engine runs, in requests per second: the bound of `--rate`
    /// and of expected_peak_rps × multiplier.
    public static let maximumRate = 10_000_000.0

    public var model: Model
    public var multiplier: Double
    public var duration: SpecDuration?
    public var rampUp: SpecDuration?
    public var rampDown: SpecDuration?
    public var virtualUsers: Int?
    public var thinkTime: SpecDuration?
    public var connections: Int?
    public var mix: [LoadMixEntry]
    public var data: DataFeedSpec?
    public var watch: WatchSpec?
    public var thresholds: [Threshold]
    public var timeout: SpecDuration?
    public var abortWhenHopeless: Bool

    package static let schema = ObjectSchema(
        "load", doc: "The load test.",
        fields: [
            Field(
                "model", .choice(Model.allCases.map(\.rawValue)),
                "open (arrival rate) or closed (virtual users); default open"),
            Field(
                "multiplier", .number(min: 0, exclusiveMinimum: true),
                "the target rate as a multiple of traffic.expected_peak_rps; the policy minimum is 3"),
            Field("duration", .string(.duration), required: true, "how long the target rate is sustained, such as 10m"),
            Field("ramp_up", .string(.duration), "time to reach the target rate"),
            Field("ramp_down", .string(.duration), "time to come back down to zero"),
            Field("vus", .integer(min: 1, max: 100_000), "virtual users, for the closed model"),
            Field("think_time", .string(.duration), "a pause between a virtual user's iterations"),
            Field("connections", .integer(min: 1, max: 100_000), "keep-alive connections to open"),
            Field("mix", .list(LoadMixEntry.schemaType, minItems: 1), "the weighted mix of traffic"),
            Field("data", DataFeedSpec.schemaType, "test data feeding the sessions, such as users to sign in as"),
            Field("watch", WatchSpec.schemaType, "the target's resources to sample: a local process or Prometheus"),
            Field("thresholds", .list(.string(.threshold)), "pass/fail criteria, such as 'p99 < 300ms'"),
            Field(
                "timeout", .string(.duration), "a request without a complete response by then is an error; default 10s"),
            Field(
                "abort_when_hopeless", .boolean,
                "stop as soon as a threshold can no longer pass (such as p99 once 1 % of the planned requests were slow)"
            ),
        ])

    package init(reading r: ObjectReader) {
        model = r.choice("model") ?? .open
        multiplier = r.double("multiplier") ?? 3
        duration = r.duration("duration")
        rampUp = r.duration("ramp_up")
        rampDown = r.duration("ramp_down")
        virtualUsers = r.int("vus")
        thinkTime = r.duration("think_time")
        connections = r.int("connections")
        mix = r.list("mix")
        data = r.object("data")
        watch = r.object("watch")
        thresholds = r.strings("thresholds").compactMap { try? Threshold(parsing: $0) }
        timeout = r.duration("timeout")
        abortWhenHopeless = r.bool("abort_when_hopeless") ?? false
    }
}

public struct LoadMixEntry: SpecObject {
    public var weight: Int
    public var scenario: String?
    public var request: HTTPRequestSpec?

    package static let schema = ObjectSchema(
        "a mix entry", doc: "A share of the load: a smoke scenario run as a session, or a single request.",
        fields: [
            Field("weight", .integer(min: 1, max: 1_000_000), required: true, "the relative share of iterations"),
            Field("scenario", .string(.text), "the name of a smoke scenario to run as a session"),
            Field("request", HTTPRequestSpec.schemaType, "a single request"),
        ],
        exactlyOneOf: ["scenario", "request"])

    package init(reading r: ObjectReader) {
        weight = r.int("weight") ?? 1
        scenario = r.string("scenario")
        request = r.object("request")
    }
}

public struct DataFeedSpec: SpecObject {
    public enum Mode: String, Sendable, CaseIterable { case unique, cyclic }
    public enum Scope: String, Sendable, CaseIterable { case user, iteration }

    public var csv: String?
    public var jsonl: String?
    public var mode: Mode
    public var per: Scope

    package static let schema = ObjectSchema(
        "data", doc: "A data feeder: rows from a CSV or JSON-lines file.",
        fields: [
            Field("csv", .string(.path), "a CSV file with a header row"),
            Field("jsonl", .string(.path), "a JSON-lines file, one object per line"),
            Field("mode", .choice(Mode.allCases.map(\.rawValue)), "unique (each row once) or cyclic; default cyclic"),
            Field(
                "per", .choice(Scope.allCases.map(\.rawValue)),
                "a row per virtual user or per iteration; default iteration"),
        ],
        exactlyOneOf: ["csv", "jsonl"])

    package init(reading r: ObjectReader) {
        csv = r.string("csv")
        jsonl = r.string("jsonl")
        mode = r.choice("mode") ?? .cyclic
        per = r.choice("per") ?? .iteration
    }
}

public struct WatchSpec: SpecObject {
    public var process: String?
    public var pid: Int?
    public var prometheus: PrometheusWatch?

    public struct PrometheusWatch: SpecObject {
        public var url: String
        public var cpu: String?
        public var rss: String?

        package static let schema = ObjectSchema(
            "prometheus", doc: "PromQL queries for a remote target's resources.",
            fields: [
                Field("url", .string(.url), required: true, "the Prometheus server's base URL"),
                Field("cpu", .string(.text), "a query giving CPU use in percent of one core"),
                Field("rss", .string(.text), "a query giving resident memory in bytes"),
            ])

        package init(reading r: ObjectReader) {
            url = r.string("url") ?? ""
            cpu = r.string("cpu")
            rss = r.string("rss")
        }
    }

    package static let schema = ObjectSchema(
        "watch", doc: "The target whose CPU, memory and I/O are sampled during the load test.",
        fields: [
            Field("process", .string(.text), "the name of a process on this host"),
            Field("pid", .integer(min: 1), "a process id on this host"),
            Field("prometheus", PrometheusWatch.schemaType, "queries for a remote target"),
        ],
        exactlyOneOf: ["process", "pid", "prometheus"])

    package init(reading r: ObjectReader) {
        process = r.string("process")
        pid = r.int("pid")
        prometheus = r.object("prometheus")
    }

    /// Watch a process on this host by id.
    public init(pid: Int) {
        self.pid = pid
    }

    /// Watch the process on this host with this name.
    public init(process: String) {
        self.process = process
    }
}
