import GreenlightJSON

/// A feature flag: named variants of one type, the variant served by default, an optional percentage
/// rollout, optional targeting rules, and the kill switch.
///
/// Evaluation (``FlagEvaluator``) goes: killed → the kill variant (reason DISABLED); else the first rule
/// whose attribute matches → its variant (TARGETING_MATCH); else the rollout, when there is one → its
/// variant for the keys in its first `percentage` percent, the default variant for the others (SPLIT);
/// else the default variant (STATIC).
public struct FeatureFlag: Sendable, Hashable {
    /// The type every variant of a flag shares.
    public enum Kind: String, Sendable, Hashable {
        case boolean, string, number, object
    }

    /// A percentage rollout: `variant` for the targeting keys whose ``StickyBucket`` bucket, in the group
    /// named by the flag's key, is at most `percentage`.
    public struct Rollout: Sendable, Hashable {
        public var percentage: Int
        public var variant: String

        public init(percentage: Int, variant: String) {
            self.percentage = percentage
            self.variant = variant
        }
    }

    /// A targeting rule: `variant` when the context attribute `attribute` (its text: a string as is, a
    /// number or boolean as JSON writes it) matches one of `values` by `operator`.
    public struct Rule: Sendable, Hashable {
        public enum Operator: String, Sendable, Hashable, CaseIterable {
            case equals
            case `in`
            case startsWith = "starts_with"
            case endsWith = "ends_with"
        }

        public var attribute: String
        public var `operator`: Operator
        public var values: [String]
        public var variant: String

        public init(attribute: String, operator: Operator, values: [String], variant: String) {
            self.attribute = attribute
            self.operator = `operator`
            self.values = values
            self.variant = variant
        }

        /// Whether the attribute's text matches.
        public func matches(_ text: String) -> Bool {
            switch `operator` {
            case .equals, .in: return values.contains(text)
            case .startsWith: return values.contains { text.hasPrefix($0) }
            case .endsWith: return values.contains { text.hasSuffix($0) }
            }
        }
    }

    public var key: String
    /// Variant name → value; every value of one ``Kind``.
    public var variants: [String: JSONValue]
    public var defaultVariant: String
    public var rollout: Rollout?
    public var rules: [Rule]
    /// The kill switch: every evaluation answers ``killVariant`` with reason DISABLED.
    public var killed: Bool

    public init(
        key: String, variants: [String: JSONValue], defaultVariant: String, rollout: Rollout? = nil,
        rules: [Rule] = [], killed: Bool = false
    ) {
        self.key = key
        self.variants = variants
        self.defaultVariant = defaultVariant
        self.rollout = rollout
        self.rules = rules
        self.killed = killed
    }

    /// The type of the variants (checked by ``validate()``).
    public var kind: Kind {
        guard let first = variants.values.first else { return .boolean }
        return Self.kind(of: first) ?? .boolean
    }

    /// What a kill serves: the variant named `off`; else, for a boolean flag, the variant whose value is
    /// false; else the default variant.
    public var killVariant: String {
        if variants["off"] != nil { return "off" }
        if kind == .boolean, let off = variants.filter({ $0.value == .bool(false) }).keys.sorted().first {
            return off
        }
        return defaultVariant
    }

    static func kind(of value: JSONValue) -> Kind? {
        switch value {
        case .bool: return .boolean
        case .string: return .string
        case .int, .double: return .number
        case .object: return .object
        case .null, .array: return nil
        }
    }

    /// Whether `key` can name a flag: 1 to 128 ASCII letters, digits, '.', '_' or '-', starting with a
    /// letter or a digit (it is a path segment of the OFREP URL).
    public static func isValidKey(_ key: String) -> Bool {
        key.utf8.count <= 128 && key.first.map { $0.isASCII && ($0.isLetter || $0.isNumber) } == true
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    /// Throws ``FlagError`` naming the first thing wrong with the flag.
    public func validate() throws(FlagError) {
        guard Self.isValidKey(key) else {
            throw FlagError(
                "the flag key '\(key)' must be 1-128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        }
        guard !variants.isEmpty else {
            throw FlagError(
                "flag \(key) has no variants: give at least one, such as --variant on=true --variant off=false")
        }
        var kinds: Set<Kind> = []
        for (name, value) in variants.sorted(by: { $0.key < $1.key }) {
            guard Self.isValidKey(name) else {
                throw FlagError(
                    "flag \(key): the variant name '\(name)' must be ASCII letters, digits, '.', '_' or '-', starting with a letter or digit"
                )
            }
            guard let kind = Self.kind(of: value) else {
                throw FlagError(
                    "flag \(key): variant \(name) is \(value.serialized()); a variant is a boolean, a string, a number or an object"
                )
            }
            kinds.insert(kind)
        }
        guard kinds.count == 1 else {
            throw FlagError(
                "flag \(key) mixes variant types (\(kinds.map(\.rawValue).sorted().joined(separator: ", "))): all its variants must be booleans, or all strings, or all numbers, or all objects"
            )
        }
        guard variants[defaultVariant] != nil else {
            throw FlagError(
                "flag \(key): the default variant '\(defaultVariant)' is not one of its variants (\(variants.keys.sorted().joined(separator: ", ")))"
            )
        }
        if let rollout {
            guard (0...100).contains(rollout.percentage) else {
                throw FlagError(
                    "flag \(key): the rollout percentage must be a whole number from 0 to 100, got \(rollout.percentage)"
                )
            }
            guard variants[rollout.variant] != nil else {
                throw FlagError("flag \(key): the rollout variant '\(rollout.variant)' is not one of its variants")
            }
        }
        for (index, rule) in rules.enumerated() {
            let name = "flag \(key): rule \(index + 1)"
            guard !rule.attribute.isEmpty else { throw FlagError("\(name) names no context attribute") }
            guard !rule.values.isEmpty else { throw FlagError("\(name) (\(rule.attribute)) has no values") }
            if rule.operator == .equals, rule.values.count != 1 {
                throw FlagError("\(name): equals takes one value; use in for several")
            }
            guard variants[rule.variant] != nil else {
                throw FlagError("\(name): the variant '\(rule.variant)' is not one of its variants")
            }
        }
    }
}

/// A flag or a flag change that cannot be used as given: what is wrong and what to do.
public struct FlagError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

// MARK: - JSON

extension FeatureFlag {
    /// The flag as the ledger stores it and `flag get --json` prints it.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("key", .string(key)),
            ("type", .string(kind.rawValue)),
            ("variants", .object(variants.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
            ("defaultVariant", .string(defaultVariant)),
        ]
        if let rollout {
            members.append(
                ("rollout", .object([("percentage", .int(rollout.percentage)), ("variant", .string(rollout.variant))])))
        }
        if !rules.isEmpty {
            members.append(
                (
                    "rules",
                    .array(
                        rules.map {
                            .object([
                                ("attribute", .string($0.attribute)), ("operator", .string($0.operator.rawValue)),
                                ("values", .array($0.values.map(JSONValue.string))), ("variant", .string($0.variant)),
                            ])
                        })
                ))
        }
        members.append(("killed", .bool(killed)))
        return .object(members)
    }

    /// Reads a flag from its JSON form (the ledger's, or a `flag set --from` file) and validates it.
    /// `key`, when given, is used when the document names none, and must agree when it does.
    public init(json: JSONValue, key givenKey: String? = nil) throws(FlagError) {
        guard case .object = json else { throw FlagError("a flag is a JSON object, got \(json.serialized())") }
        // `lastChange` is what `flag get --json` adds; it is read back as nothing.
        let known: Set<String> = [
            "key", "type", "variants", "defaultVariant", "rollout", "rules", "killed", "lastChange",
        ]
        if case .object(let members) = json, let unknown = members.first(where: { !known.contains($0.0) }) {
            throw FlagError(
                "a flag has no member '\(unknown.0)' (it has \(known.sorted().joined(separator: ", ")))")
        }
        var key = givenKey ?? ""
        if let named = json["key"] {
            guard case .string(let text) = named else { throw FlagError("a flag's key is a string") }
            if let givenKey, givenKey != text {
                throw FlagError("the file is for flag \(text), not \(givenKey)")
            }
            key = text
        }
        guard case .object(let variantMembers)? = json["variants"] else {
            throw FlagError("flag \(key): variants must be an object of variant name → value")
        }
        var variants: [String: JSONValue] = [:]
        for (name, value) in variantMembers {
            guard variants[name] == nil else { throw FlagError("flag \(key) names variant \(name) twice") }
            variants[name] = value
        }
        guard case .string(let defaultVariant)? = json["defaultVariant"] else {
            throw FlagError("flag \(key): defaultVariant must be the name of a variant")
        }
        var rollout: Rollout?
        if let given = json["rollout"], given != .null {
            guard case .string(let variant)? = given["variant"], let percentage = Self.wholeNumber(given["percentage"])
            else { throw FlagError("flag \(key): rollout is {\"percentage\": 0-100, \"variant\": name}") }
            rollout = Rollout(percentage: percentage, variant: variant)
        }
        var rules: [Rule] = []
        if let given = json["rules"], given != .null {
            guard case .array(let items) = given else { throw FlagError("flag \(key): rules must be an array") }
            for item in items {
                guard case .string(let attribute)? = item["attribute"], case .string(let op)? = item["operator"],
                    case .array(let values)? = item["values"], case .string(let variant)? = item["variant"]
                else {
                    throw FlagError(
                        "flag \(key): a rule is {\"attribute\": name, \"operator\": equals|in|starts_with|ends_with, \"values\": [text…], \"variant\": name}"
                    )
                }
                guard let parsed = Rule.Operator(rawValue: op) else {
                    throw FlagError(
                        "flag \(key): unknown rule operator '\(op)' (use \(Rule.Operator.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                let texts = values.compactMap(Self.text(of:))
                guard texts.count == values.count else {
                    throw FlagError("flag \(key): rule values are strings, numbers or booleans")
                }
                rules.append(Rule(attribute: attribute, operator: parsed, values: texts, variant: variant))
            }
        }
        var killed = false
        if let given = json["killed"] {
            guard case .bool(let value) = given else { throw FlagError("flag \(key): killed is true or false") }
            killed = value
        }
        self.init(
            key: key, variants: variants, defaultVariant: defaultVariant, rollout: rollout, rules: rules,
            killed: killed)
        if let declared = json["type"] {
            guard case .string(let type) = declared, let kind = Kind(rawValue: type) else {
                throw FlagError("flag \(key): type is boolean, string, number or object")
            }
            try validate()
            guard kind == self.kind else {
                throw FlagError("flag \(key) is declared \(kind.rawValue) but its variants are \(self.kind.rawValue)s")
            }
        }
        try validate()
    }

    static func wholeNumber(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let number)?: return number
        case .double(let number)? where number == number.rounded() && abs(number) < 1e9: return Int(number)
        default: return nil
        }
    }

    /// The text a rule compares: a string as is, a number or a boolean as JSON writes it; nil otherwise.
    static func text(of value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .int, .double, .bool: return value.serialized()
        case .null, .array, .object: return nil
        }
    }
}
