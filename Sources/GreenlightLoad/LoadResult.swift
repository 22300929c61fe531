import Foundation
import GreenlightCore

/// Why a request or iteration did not succeed.
public enum ErrorClass: String, Sendable, Codable, CaseIterable {
    /// A connection could not be opened (refused, unreachable, TLS handshake failed).
    case connect
    /// No complete response within the request timeout.
    case timeout
    case status4xx = "4xx"
    case status5xx = "5xx"
    /// A session step's capture or assertion did not hold.
    case assertion
    /// A malformed response, or the connection closed before the response was complete.
    case protocolError = "protocol"

    /// The position in `allCases`, for counters kept in plain arrays.
    @inline(__always) var slot: Int {
        switch self {
        case .connect: return 0
        case .timeout: return 1
        case .status4xx: return 2
        case .status5xx: return 3
        case .assertion: return 4
        case .protocolError: return 5
        }
    }
}

/// Counters shared by the whole run, one second of it, or one slice.
public struct LoadCounters: Sendable, Codable, Equatable {
    /// Requests written to a connection.
    public var sent: UInt64 = 0
    /// Responses received whole (any status).
    public var responses: UInt64 = 0
    /// Scheduled requests or iterations that never started: every connection stayed busy.
    public var dropped: UInt64 = 0
    /// Session iterations finished (passed or failed).
    public var iterations: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    public var errors: [String: UInt64] = [:]

    enum CodingKeys: String, CodingKey {
        case sent, responses, dropped, iterations
        case bytesIn = "bytes_in"
        case bytesOut = "bytes_out"
        case errors
    }

    public init() {}

    /// The largest count a result file may hold (about 10^15): 10,000 slices of it still add up
    /// without overflow, and no load test comes near it. A file is untrusted input.
    static let largestCount: UInt64 = 1 << 50

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func count(_ key: CodingKeys) throws -> UInt64 { try Self.count(c.decode(Double.self, forKey: key), key, c) }
        sent = try count(.sent)
        responses = try count(.responses)
        dropped = try count(.dropped)
        iterations = try count(.iterations)
        bytesIn = try count(.bytesIn)
        bytesOut = try count(.bytesOut)
        let numbers = try c.decode([String: Double].self, forKey: .errors)
        errors = [:]
        for (name, number) in numbers {
            errors[name] = try Self.count(number, .errors, c, of: " \(name) errors")
        }
        for (name, value) in errors {
            guard ErrorClass(rawValue: name) != nil else {
                throw DecodingError.dataCorruptedError(
                    forKey: .errors, in: c,
                    debugDescription:
                        "'\(name)' is not an error class (\(ErrorClass.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            guard value <= Self.largestCount else {
                throw DecodingError.dataCorruptedError(
                    forKey: .errors, in: c,
                    debugDescription: "\(value) \(name) errors is more than a load test can count")
            }
        }
    }

    /// A count read from a file as a JSON number: a whole number from 0 to ``largestCount``, else a
    /// message naming the field. (Read straight as UInt64, -5 would be "not valid JSON".) A JSON number
    /// beyond 2^53 reads approximately, but anything beyond 2^50 is refused anyway.
    static func count<Key: CodingKey>(
        _ number: Double, _ key: Key, _ c: KeyedDecodingContainer<Key>, of what: String = ""
    ) throws -> UInt64 {
        guard number >= 0, number == number.rounded(), number.isFinite else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c,
                debugDescription: "\(Format.number(number))\(what) is not a count (a whole number, 0 or more)")
        }
        guard number <= Double(largestCount) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c,
                debugDescription: "\(Format.number(number))\(what) is more than a load test can count")
        }
        return UInt64(number)  // exact: a Double holds every whole number up to 2^53
    }

    public var errorCount: UInt64 { errors.values.reduce(0, +) }
    /// Errors that stood for a request: every class but connect (attempts to open a connection).
    public var requestErrorCount: UInt64 { errorCount - errors[ErrorClass.connect.rawValue, default: 0] }

    public mutating func add(_ o: LoadCounters) {
        sent += o.sent
        responses += o.responses
        dropped += o.dropped
        iterations += o.iterations
        bytesIn += o.bytesIn
        bytesOut += o.bytesOut
        for (k, v) in o.errors { errors[k, default: 0] += v }
    }
}

/// One second of the run, by the time responses completed.
public struct TimelineSecond: Sendable, Codable, Equatable {
    public var second: Int
    public var counters: LoadCounters
    /// Two significant digits: enough for a chart, small enough to keep one per second.
    public var latency: LatencyHistogram

    public init(second: Int) {
        self.second = second
        counters = LoadCounters()
        latency = LatencyHistogram(significantDigits: .two)
    }

    public mutating func add(_ o: TimelineSecond) {
        counters.add(o.counters)
        latency.add(o.latency)
    }
}

/// Headline numbers, derived from the counters and the histogram (recomputed after a merge).
public struct LoadSummary: Sendable, Codable, Equatable {
    public var requests: UInt64
    public var sent: UInt64
    public var dropped: UInt64
    public var iterations: UInt64
    public var errors: UInt64
    public var errorRate: Double
    public var rps: Double
    public var plannedSeconds: Double
    public var durationSeconds: Double
    public var p50Ms, p90Ms, p95Ms, p99Ms, p99_9Ms, maxMs, meanMs: Double
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    public var connectionsOpen: Int

    enum CodingKeys: String, CodingKey {
        case requests, sent, dropped, iterations, errors
        case errorRate = "error_rate"
        case rps
        case plannedSeconds = "planned_seconds"
        case durationSeconds = "duration_seconds"
        case p50Ms = "p50_ms"
        case p90Ms = "p90_ms"
        case p95Ms = "p95_ms"
        case p99Ms = "p99_ms"
        case p99_9Ms = "p99_9_ms"
        case maxMs = "max_ms"
        case meanMs = "mean_ms"
        case bytesIn = "bytes_in"
        case bytesOut = "bytes_out"
        case connectionsOpen = "connections_open"
    }
}

/// A threshold and what it was measured against.
public struct ThresholdOutcome: Sendable, Codable, Equatable {
    public var threshold: String
    /// In the threshold's base unit (seconds, a fraction, bytes, percent); nil when it could not be measured.
    public var measured: Double?
    public var shown: String
    public var passed: Bool
}

/// The whole result of a load run (or of merged slices): what `--out` writes and `load merge` reads.
public struct LoadResult: Sendable, Codable {
    public static let format = "greenlight-load"
    public static let version = 1

    /// Slice `index` of `count` (1-based) of a sharded test; 1/1 for a whole one.
    public struct Slice: Sendable, Codable, Equatable {
        public var index: Int
        public var count: Int

        public init(index: Int, count: Int) {
            self.index = index
            self.count = count
        }
    }

    public var target: String
    public var model: LoadSpec.Model
    /// The peak arrival rate asked for (open model), per second, for all slices together.
    public var rate: Double?
    public var virtualUsers: Int?
    public var connections: Int
    public var threads: Int
    public var profile: Profile
    public var slices: [Slice]
    public var startedAt: Date
    public var durationSeconds: Double
    public var connectionsOpen: Int
    public var counters: LoadCounters
    public var latency: LatencyHistogram
    public var timeline: [TimelineSecond]
    public var resources: ResourceReport?
    public var thresholds: [ThresholdOutcome]
    /// Why the run stopped early, or problems worth reading (dropped iterations, exhausted data).
    public var notes: [String]
    /// Why the run ended before its profile did (interrupted, or hopeless with `abortWhenHopeless`);
    /// nil for a run that went to the end. Written only when set, so older readers still read the file.
    public var stoppedEarly: String?

    public init(
        target: String, model: LoadSpec.Model, rate: Double?, virtualUsers: Int?, connections: Int, threads: Int,
        profile: Profile, slices: [Slice], startedAt: Date, durationSeconds: Double, connectionsOpen: Int,
        counters: LoadCounters, latency: LatencyHistogram, timeline: [TimelineSecond], resources: ResourceReport?,
        thresholds: [ThresholdOutcome] = [], notes: [String] = []
    ) {
        self.target = target
        self.model = model
        self.rate = rate
        self.virtualUsers = virtualUsers
        self.connections = connections
        self.threads = threads
        self.profile = profile
        self.slices = slices
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.connectionsOpen = connectionsOpen
        self.counters = counters
        self.latency = latency
        self.timeline = timeline
        self.resources = resources
        self.thresholds = thresholds
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case format, version, target, model, rate
        case virtualUsers = "vus"
        case connections, threads, profile, slices
        case startedAt = "started_at"
        case durationSeconds = "duration_seconds"
        case connectionsOpen = "connections_open"
        case summary, counters, latency, timeline, resources, thresholds, notes
        case stoppedEarly = "stopped_early"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let format = try c.decode(String.self, forKey: .format)
        guard format == Self.format else {
            throw DecodingError.dataCorruptedError(
                forKey: .format, in: c, debugDescription: "format is '\(format)', not a greenlight load result")
        }
        let version = try c.decode(Int.self, forKey: .version)
        guard version == Self.version else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: c,
                debugDescription: "version \(version) is not supported (this greenlight reads 1)")
        }
        target = try c.decode(String.self, forKey: .target)
        let model = try c.decode(String.self, forKey: .model)
        guard let known = LoadSpec.Model(rawValue: model) else {
            throw DecodingError.dataCorruptedError(
                forKey: .model, in: c,
                debugDescription: "model is '\(model)'; a greenlight load result is of the open or the closed model")
        }
        self.model = known
        rate = try c.decodeIfPresent(Double.self, forKey: .rate)
        virtualUsers = try c.decodeIfPresent(Int.self, forKey: .virtualUsers)
        connections = try c.decode(Int.self, forKey: .connections)
        threads = try c.decode(Int.self, forKey: .threads)
        profile = try c.decode(Profile.self, forKey: .profile)
        slices = try c.decode([Slice].self, forKey: .slices)
        let started = try c.decode(String.self, forKey: .startedAt)
        guard let date = ISO8601DateFormatter().date(from: started) else {
            throw DecodingError.dataCorruptedError(
                forKey: .startedAt, in: c,
                debugDescription: "'\(started)' is not a date and time (ISO 8601, such as 2025-01-31T12:00:00Z)")
        }
        startedAt = date
        durationSeconds = try c.decode(Double.self, forKey: .durationSeconds)
        connectionsOpen = try c.decodeIfPresent(Int.self, forKey: .connectionsOpen) ?? 0
        counters = try c.decode(LoadCounters.self, forKey: .counters)
        latency = try c.decode(LatencyHistogram.self, forKey: .latency)
        timeline = try c.decode([TimelineSecond].self, forKey: .timeline)
        resources = try c.decodeIfPresent(ResourceReport.self, forKey: .resources)
        thresholds = try c.decodeIfPresent([ThresholdOutcome].self, forKey: .thresholds) ?? []
        notes = try c.decodeIfPresent([String].self, forKey: .notes) ?? []
        stoppedEarly = try c.decodeIfPresent(String.self, forKey: .stoppedEarly)
        // Everything read from a file is checked against what a run can produce.
        for (key, value) in [
            (CodingKeys.connections, connections), (.threads, threads), (.connectionsOpen, connectionsOpen),
        ]
        where !(0...10_000_000).contains(value) {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(value) is out of range")
        }
        if let users = virtualUsers, !(0...10_000_000).contains(users) {
            throw DecodingError.dataCorruptedError(
                forKey: .virtualUsers, in: c, debugDescription: "\(users) is out of range")
        }
        if let bad = slices.first(where: { !(1...10_000).contains($0.count) || !(1...$0.count).contains($0.index) }) {
            throw DecodingError.dataCorruptedError(
                forKey: .slices, in: c,
                debugDescription: "slice \(bad.index)/\(bad.count) is not i/n with 1 ≤ i ≤ n ≤ 10000")
        }
        guard durationSeconds.isFinite, durationSeconds >= 0, rate.map({ $0.isFinite && $0 >= 0 }) ?? true else {
            throw DecodingError.dataCorruptedError(
                forKey: .durationSeconds, in: c, debugDescription: "the duration or the rate is not a finite number")
        }
        // A run lasts at most Self.longest seconds at a level (rate or users) of at most Self.highest.
        guard durationSeconds <= Self.longest, (rate ?? 0) <= Self.highest,
            profile.segments.allSatisfy({ segment in
                [segment.from, segment.to].allSatisfy { $0.isFinite && (0...Self.highest).contains($0) }
                    && segment.seconds.isFinite && (0...Self.longest).contains(segment.seconds)
            }), profile.totalSeconds <= Self.longest
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .profile, in: c,
                debugDescription:
                    "the profile, duration or rate is out of range (at most \(Int(Self.longest)) s at \(Int(Self.highest)) per second)"
            )
        }
        if let bad = timeline.first(where: { !(0...Int(Self.longest)).contains($0.second) }) {
            throw DecodingError.dataCorruptedError(
                forKey: .timeline, in: c, debugDescription: "second \(bad.second) is out of range")
        }
    }

    /// The longest run a result file may describe (about 115 days), in seconds.
    static let longest = 10_000_000.0
    /// The highest level (requests per second, or virtual users) a result file may describe.
    static let highest = 10_000_000.0

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.format, forKey: .format)
        try c.encode(Self.version, forKey: .version)
        try c.encode(target, forKey: .target)
        try c.encode(model, forKey: .model)
        try c.encodeIfPresent(rate, forKey: .rate)
        try c.encodeIfPresent(virtualUsers, forKey: .virtualUsers)
        try c.encode(connections, forKey: .connections)
        try c.encode(threads, forKey: .threads)
        try c.encode(profile, forKey: .profile)
        try c.encode(slices, forKey: .slices)
        // Written as the text the decoder reads, whatever date strategy the encoder has (the redaction
        // boundary's plain encoder would otherwise write seconds since 2001).
        try c.encode(ISO8601DateFormatter().string(from: startedAt), forKey: .startedAt)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(connectionsOpen, forKey: .connectionsOpen)
        try c.encode(summary, forKey: .summary)
        try c.encode(counters, forKey: .counters)
        try c.encodeIfPresent(resources, forKey: .resources)
        try c.encode(thresholds, forKey: .thresholds)
        try c.encode(notes, forKey: .notes)
        try c.encodeIfPresent(stoppedEarly, forKey: .stoppedEarly)
        try c.encode(latency, forKey: .latency)
        try c.encode(timeline, forKey: .timeline)
    }

    /// Requests that ended, whether with a response or with an error that stood in for one.
    /// Connect failures are attempts to open a connection, not requests: a request that found no
    /// connection counts as dropped instead, so they stay out of the error rate.
    public var attempts: UInt64 {
        counters.responses + counters.errors[ErrorClass.timeout.rawValue, default: 0]
            + counters.errors[ErrorClass.protocolError.rawValue, default: 0]
    }

    public var requestErrors: UInt64 { counters.requestErrorCount }

    public var summary: LoadSummary {
        let seconds = max(durationSeconds, 1e-9)
        let failed = requestErrors
        return LoadSummary(
            requests: counters.responses, sent: counters.sent, dropped: counters.dropped,
            iterations: counters.iterations, errors: failed,
            errorRate: attempts > 0 ? min(1, Double(failed) / Double(attempts)) : 0,
            rps: Double(counters.responses) / seconds, plannedSeconds: profile.totalSeconds,
            durationSeconds: durationSeconds,
            p50Ms: latency.milliseconds(atPercentile: 50), p90Ms: latency.milliseconds(atPercentile: 90),
            p95Ms: latency.milliseconds(atPercentile: 95), p99Ms: latency.milliseconds(atPercentile: 99),
            p99_9Ms: latency.milliseconds(atPercentile: 99.9), maxMs: latency.maxMilliseconds,
            meanMs: latency.meanMilliseconds, bytesIn: counters.bytesIn, bytesOut: counters.bytesOut,
            connectionsOpen: connectionsOpen)
    }
}
