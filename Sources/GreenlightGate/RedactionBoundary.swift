import GreenlightCore

/// The one place where secrets are masked: everything greenlight lets out of the process (terminal
/// text, report files, the step summary, `--json`, `load --out`, error messages) passes here first.
/// Runners return raw results; they never mask.
///
/// The secrets are the values of the spec's `${VAR}` references, and what a run discovers: values it
/// sent in `Authorization`, `Proxy-Authorization` or `Cookie` headers, and captures whose names read as
/// secrets (token, password, secret, key, session). They are masked wherever they appear, a response
/// body that echoes them included.
public struct RedactionBoundary: Sendable {
    public var redactor: Redactor

    public init(spec: ReleaseSpec?, discovered: SecretSink? = nil) {
        redactor = (spec?.redactor ?? Redactor()).merging(discovered?.all ?? [])
    }

    /// The report with every text masked and its digest computed over what is shown.
    public func report(_ report: Report) throws(GateError) -> Report {
        var masked = try value(report)
        masked.digest = masked.computeDigest()
        return masked
    }

    /// Any result (checks, a load result, a risk review) with every string in it masked.
    public func value<T: Codable>(_ value: T) throws(GateError) -> T {
        do {
            return try redactor.redacting(value)
        } catch {
            throw GateError(error.description)
        }
    }

    public func text(_ text: String) -> String { redactor.redact(text) }

    /// This boundary, also masking what `sink` holds.
    public func including(_ sink: SecretSink) -> RedactionBoundary {
        var wider = self
        wider.redactor = redactor.merging(sink.all)
        return wider
    }
}
