/// The description of the spec format that both the loader and `greenlight schema` use:
/// one source for validation, error messages, typed reading and the JSON Schema.
package indirect enum SchemaType: Sendable {
    case string(StringFormat)
    case integer(min: Int? = nil, max: Int? = nil, why: String? = nil)
    case number(min: Double? = nil, max: Double? = nil, exclusiveMinimum: Bool = false)
    case boolean
    case choice([String])
    case list(SchemaType, minItems: Int = 0, unique: UniqueRule? = nil)
    case object(ObjectSchema)
    /// A mapping whose keys the user names (environments, headers).
    case dictionary(key: StringFormat, value: SchemaType)
    /// Either a scalar of the given format or a mapping with the given fields.
    case scalarOrObject(StringFormat, ObjectSchema)
    /// Any YAML value (request bodies, expected JSON values).
    case any

    /// How a value of this type is named in "expected …" messages.
    package var expectation: String {
        switch self {
        case .string(let format): return format.name
        case .integer: return "a whole number"
        case .number: return "a number"
        case .boolean: return "true or false"
        case .choice(let options): return "one of " + options.joined(separator: ", ")
        case .list: return "a list"
        case .object: return "a mapping of fields"
        case .dictionary: return "a mapping"
        case .scalarOrObject(let format, _): return "\(format.name), or a mapping of fields"
        case .any: return "any value"
        }
    }
}

/// How the elements of a list must differ from one another.
package enum UniqueRule: Sendable {
    /// Scalar elements must all differ.
    case value
    /// Mapping elements must differ in this field (their name or id).
    case field(String)
}

/// A field of a mapping in the spec.
package struct Field: Sendable {
    package var name: String
    package var type: SchemaType
    package var required: Bool
    package var doc: String

    package init(_ name: String, _ type: SchemaType, required: Bool = false, _ doc: String) {
        self.name = name
        self.type = type
        self.required = required
        self.doc = doc
    }
}

/// A mapping with named fields; unknown keys are rejected.
package struct ObjectSchema: Sendable {
    package var title: String
    package var doc: String
    package var fields: [Field]
    /// Exactly one of these fields must be given (the kinds of evidence, say).
    package var exactlyOneOf: [String]
    /// At most one of these fields may be given (the kinds of request body, say).
    package var atMostOneOf: [String]

    package init(_ title: String, doc: String, fields: [Field], exactlyOneOf: [String] = [], atMostOneOf: [String] = [])
    {
        self.title = title
        self.doc = doc
        self.fields = fields
        self.exactlyOneOf = exactlyOneOf
        self.atMostOneOf = atMostOneOf
    }

    package func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

/// A kind of text with its own rule, such as a URL, a duration or an identifier.
package struct StringFormat: Sendable {
    /// How it is named in messages: "a URL such as https://…".
    package var name: String
    /// A regular expression for the JSON Schema (the `check` is what the loader applies).
    package var pattern: String?
    /// A JSON Schema `format` keyword.
    package var jsonFormat: String?
    package var allowsEmpty: Bool
    /// Returns why the text does not fit, or nil when it does.
    package var check: @Sendable (String) -> String?

    package init(
        name: String, pattern: String? = nil, jsonFormat: String? = nil, allowsEmpty: Bool = false,
        check: @escaping @Sendable (String) -> String? = { _ in nil }
    ) {
        self.name = name
        self.pattern = pattern
        self.jsonFormat = jsonFormat
        self.allowsEmpty = allowsEmpty
        self.check = check
    }
}
