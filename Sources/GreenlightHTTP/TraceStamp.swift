import W3CTraceContext

/// The trace context greenlight puts on a request of its own, so that the service's logs, response
/// headers and trace backend can be searched for it afterwards.
public struct TraceStamp: Sendable, Hashable {
    public enum Propagation: String, Sendable {
        case w3c, b3
    }

    /// 32 lowercase hex digits.
    public let traceID: String
    /// 16 lowercase hex digits.
    public let spanID: String
    public let propagation: Propagation

    /// A new random trace, sampled.
    public init(propagation: Propagation = .w3c) {
        let context = TraceContext(traceID: .random(), spanID: .random(), flags: .sampled, state: TraceState())
        self.init(traceParent: context.traceParentHeaderValue, propagation: propagation)
    }

    private init(traceParent: String, propagation: Propagation) {
        // version-traceid-spanid-flags
        let parts = traceParent.split(separator: "-")
        traceID = String(parts[1])
        spanID = String(parts[2])
        self.propagation = propagation
    }

    /// Header names (lowercased) that carry a trace context, of either propagation.
    public static let headerNames: Set<String> = ["traceparent", "b3", "x-b3-traceid"]

    /// The request headers that carry it: `traceparent`, or B3 (single `b3` and the multi-header form,
    /// since services read one or the other).
    public var headers: [(name: String, value: String)] {
        switch propagation {
        case .w3c: return [("traceparent", "00-\(traceID)-\(spanID)-01")]
        case .b3:
            return [
                ("b3", "\(traceID)-\(spanID)-1"), ("X-B3-TraceId", traceID), ("X-B3-SpanId", spanID),
                ("X-B3-Sampled", "1"),
            ]
        }
    }

    /// Whether a response's headers carry this trace on: a `traceparent` (or `b3` / `X-B3-TraceId`)
    /// with the same trace id, whatever span the service answered with.
    public func isContinued(by headers: [(name: String, value: String)]) -> Bool {
        headers.contains { header in
            switch header.name.lowercased() {
            case "traceparent":
                return (try? TraceContext(traceParentHeaderValue: header.value))?.traceID.description == traceID
            case "b3": return header.value.lowercased().hasPrefix(traceID + "-")
            case "x-b3-traceid": return header.value.lowercased() == traceID
            default: return false
            }
        }
    }
}
