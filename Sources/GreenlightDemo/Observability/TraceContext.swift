/// The W3C trace context of one request: the caller's trace (or a new one) and this server's span in it.
struct TraceContext: Sendable, Equatable {
    /// 32 lowercase hex digits, never all zero.
    var traceID: String
    /// The caller's span, when a valid `traceparent` came in.
    var parentSpanID: String?
    /// This server's span: 16 lowercase hex digits, new for every request.
    var spanID: String
    /// Trace flags as 2 hex digits (`01` = sampled).
    var flags: String

    /// A trace of its own, for a request without a valid `traceparent`.
    init() {
        self.init(continuing: nil)
    }

    /// Continues the trace in `traceparent` when it is valid, and starts a new one otherwise.
    init(continuing traceparent: String?) {
        let parent = traceparent.flatMap(Self.parse)
        self.traceID = parent?.traceID ?? Hex.random(byteCount: 16)
        self.parentSpanID = parent?.spanID
        self.spanID = Hex.random(byteCount: 8)
        self.flags = parent?.flags ?? "01"
    }

    /// The `traceparent` header naming this server's span.
    var traceparent: String { "00-\(traceID)-\(spanID)-\(flags)" }

    /// The fields of a `traceparent` value, or nil when it is not valid.
    ///
    /// Version `00` must be exactly `00-<32 hex>-<16 hex>-<2 hex>`; a later version may append fields after a `-`.
    /// Version `ff` and all-zero ids are invalid.
    static func parse(_ header: String) -> (traceID: String, spanID: String, flags: String)? {
        let value = header.trimmingSpaces()
        let fields = value.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count >= 4, Hex.isLowercaseHex(fields[0], count: 2), fields[0] != "ff" else { return nil }
        guard fields[0] != "00" || fields.count == 4 else { return nil }
        let traceID = fields[1]
        let spanID = fields[2]
        let flags = fields[3]
        guard Hex.isLowercaseHex(traceID, count: 32), traceID != Substring(repeating: "0", count: 32),
            Hex.isLowercaseHex(spanID, count: 16), spanID != Substring(repeating: "0", count: 16),
            Hex.isLowercaseHex(flags, count: 2)
        else { return nil }
        return (String(traceID), String(spanID), String(flags))
    }
}
