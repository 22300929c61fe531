import GreenlightCore
import GreenlightJSON

/// The outcome of evaluating one flag for one context, in OFREP's terms.
public enum FlagEvaluation: Sendable, Hashable {
    /// The flag's value: `{key, value, reason, variant, metadata}`.
    case success(key: String, value: JSONValue, variant: String, reason: Reason, metadata: [(String, JSONValue)])
    /// The flag could not be evaluated: `{key, errorCode, errorDetails}`.
    case failure(key: String, code: ErrorCode, details: String)

    /// The OpenFeature resolution reasons OFREP 0.3.0's `evaluationSuccess` allows.
    public enum Reason: String, Sendable, Hashable {
        /// No rule or split applies to the flag: its default variant. Also the fall-through of a flag whose
        /// rules match nothing and that has no rollout (OpenFeature names that DEFAULT, which OFREP 0.3.0's
        /// `reason` enum does not list).
        case staticValue = "STATIC"
        /// A targeting rule matched.
        case targetingMatch = "TARGETING_MATCH"
        /// The percentage rollout decided (either side of it).
        case split = "SPLIT"
        /// The flag is killed: its kill variant.
        case disabled = "DISABLED"
    }

    /// OFREP's error codes, with the HTTP status of a single evaluation that fails with them.
    public enum ErrorCode: String, Error, Sendable, Hashable {
        case flagNotFound = "FLAG_NOT_FOUND"
        case targetingKeyMissing = "TARGETING_KEY_MISSING"
        case parseError = "PARSE_ERROR"
        case invalidContext = "INVALID_CONTEXT"
        case general = "GENERAL"

        public var status: Int {
            switch self {
            case .flagNotFound: return 404
            case .targetingKeyMissing, .parseError, .invalidContext: return 400
            case .general: return 500
            }
        }
    }

    public static func == (lhs: FlagEvaluation, rhs: FlagEvaluation) -> Bool { lhs.json == rhs.json }
    public func hash(into hasher: inout Hasher) { hasher.combine(json.serialized()) }

    public var key: String {
        switch self {
        case .success(let key, _, _, _, _), .failure(let key, _, _): return key
        }
    }

    /// The OFREP JSON object.
    public var json: JSONValue {
        switch self {
        case .success(let key, let value, let variant, let reason, let metadata):
            var members: [(String, JSONValue)] = [
                ("key", .string(key)), ("value", value), ("reason", .string(reason.rawValue)),
                ("variant", .string(variant)),
            ]
            if !metadata.isEmpty { members.append(("metadata", .object(metadata))) }
            return .object(members)
        case .failure(let key, let code, let details):
            return .object([
                ("key", .string(key)), ("errorCode", .string(code.rawValue)), ("errorDetails", .string(details)),
            ])
        }
    }
}

/// An evaluation context as OFREP sends it: `targetingKey` and any other attributes.
public struct EvaluationContext: Sendable {
    public var targetingKey: String?
    public var attributes: [String: JSONValue]

    public init(targetingKey: String? = nil, attributes: [String: JSONValue] = [:]) {
        self.targetingKey = targetingKey
        self.attributes = attributes
    }

    /// Reads the `context` member of an OFREP request body. A missing context is an empty one (the
    /// OpenFeature SDKs send none when the application set none); a context that is not an object, or a
    /// `targetingKey` that is not a string, is INVALID_CONTEXT.
    public init(request body: JSONValue) throws(FlagEvaluation.ErrorCode) {
        guard case .object(let members) = body else { throw .parseError }
        guard let context = members.first(where: { $0.0 == "context" })?.1, context != .null else {
            self.init()
            return
        }
        guard case .object(let pairs) = context else { throw .invalidContext }
        var attributes: [String: JSONValue] = [:]
        var targetingKey: String?
        for (name, value) in pairs {
            if name == "targetingKey" {
                guard case .string(let key) = value else { throw .invalidContext }
                targetingKey = key
            }
            attributes[name] = value
        }
        self.init(targetingKey: targetingKey, attributes: attributes)
    }

    /// The text of an attribute as rules compare it; nil when absent or not a string, number or boolean.
    public func text(_ attribute: String) -> String? {
        attributes[attribute].flatMap(FeatureFlag.text(of:))
    }
}

/// OFREP evaluation of flags against a snapshot.
public enum FlagEvaluator {
    /// Evaluates `key` in `snapshot` for `context`.
    public static func evaluate(_ key: String, in snapshot: FlagSnapshot, context: EvaluationContext)
        -> FlagEvaluation
    {
        guard let entry = snapshot.entries[key] else {
            return .failure(key: key, code: .flagNotFound, details: "flag '\(key)' was not found")
        }
        return evaluate(entry.flag, context: context, metadata: [("changeSequence", .int(entry.sequence))])
    }

    /// Evaluates `flag` for `context`.
    public static func evaluate(_ flag: FeatureFlag, context: EvaluationContext, metadata: [(String, JSONValue)] = [])
        -> FlagEvaluation
    {
        func answer(_ variant: String, _ reason: FlagEvaluation.Reason) -> FlagEvaluation {
            .success(
                key: flag.key, value: flag.variants[variant] ?? .null, variant: variant, reason: reason,
                metadata: metadata)
        }
        if flag.killed { return answer(flag.killVariant, .disabled) }
        for rule in flag.rules {
            if let text = context.text(rule.attribute), rule.matches(text) {
                return answer(rule.variant, .targetingMatch)
            }
        }
        if let rollout = flag.rollout {
            guard let targetingKey = context.targetingKey, !targetingKey.isEmpty else {
                return .failure(
                    key: flag.key, code: .targetingKeyMissing,
                    details:
                        "flag '\(flag.key)' is rolled out to \(rollout.percentage)% of targeting keys: the context needs a targetingKey"
                )
            }
            let included = StickyBucket.includes(group: flag.key, key: targetingKey, percentage: rollout.percentage)
            return answer(included ? rollout.variant : flag.defaultVariant, .split)
        }
        return answer(flag.defaultVariant, .staticValue)
    }

    /// Every flag of `snapshot`, in key order.
    public static func evaluateAll(in snapshot: FlagSnapshot, context: EvaluationContext) -> [FlagEvaluation] {
        snapshot.entries.values.sorted { $0.flag.key < $1.flag.key }.map {
            evaluate($0.flag, context: context, metadata: [("changeSequence", .int($0.sequence))])
        }
    }
}
