import Foundation
import GreenlightJSON

extension Redactor {
    /// Why a value could not be masked (it did not survive its own JSON round trip: a bug).
    public struct MaskingError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `value` with every string in it masked. The redaction boundary applies this to whatever leaves
    /// the process (a report, a load result, a list of checks), so a field added later is masked
    /// without anyone remembering to. Field names are greenlight's own and are left alone; a secret
    /// that is part of one of greenlight's fixed words (a status such as `pass`) cannot be masked
    /// without garbling the value, and is refused with a message that says so.
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
            throw MaskingError(
                description:
                    "a secret value (from a ${VAR} reference, an Authorization or Cookie header, or a secret capture) "
                    + "is also part of a fixed word greenlight writes (a status, a category, a unit), so the "
                    + "output cannot be masked; use a longer secret")
        }
    }

    private func masking(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let items): return .array(items.map(masking))
        case .object(let pairs): return .object(pairs.map { ($0.0, masking($0.1)) })
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
