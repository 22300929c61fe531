import Foundation
import GreenlightJSON

extension Redactor {
    /// Why a value could not be masked (it did not survive its own JSON round trip: a bug).
    public struct MaskingError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `value` with every string in it masked, except the fields that hold greenlight's own words or
    /// typed values (``fixedFields``). The redaction boundary applies this to whatever leaves the
    /// process (a report, a load result, a list of checks), so a free-text field added later is masked
    /// without anyone remembering to. Field names are greenlight's own and are left alone.
    public func redacting<T: Codable>(_ value: T) throws(MaskingError) -> T {
        guard !isEmpty else { return value }
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            let tree = try JSONValue(parsing: try encoder.encode(value))
            let masked = Data(masking(tree).serialized().utf8)
            return try decoder.decode(T.self, from: masked)
        } catch {
            throw MaskingError(description: "cannot mask a \(T.self) before it is shown (a bug): \(error)")
        }
    }

    /// Fields whose values are greenlight's own vocabulary (statuses, categories, units, the load
    /// model), digests and timestamps, typed values of the spec (dates, risk factors, the class's
    /// requirements), or ids: none can hold a secret that is not also in a masked text field, and
    /// masking them would garble the value (a `${VAR}` of `warn` inside the status `warn`). Ids are
    /// shown as written, so they stay unique; the docs say not to build names from the environment.
    static let fixedFields: Set<String> = [
        "id", "status", "underlyingStatus", "category", "decision", "model", "format", "formatVersion", "unit",
        "kind", "sha256", "digest", "generatedAt", "generator", "expires", "factors", "requires", "riskClass", "counts",
    ]

    private func masking(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let items): return .array(items.map(masking))
        case .object(let pairs):
            return .object(pairs.map { Self.fixedFields.contains($0.0) ? $0 : ($0.0, masking($0.1)) })
        case .null, .bool, .int, .double: return value
        }
    }

    /// This redactor with `other`'s secrets too.
    public func merging(_ other: [String]) -> Redactor {
        var merged = self
        for secret in other { merged.add(secret) }
        return merged
    }
}
