/// The description of the spec format that both the loader and `greenlight schema` use:
/// one source for validation, error messages, typed reading and the JSON Schema.
public indirect enum SchemaType: Sendable {
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
    public var expectation: String {
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
public enum UniqueRule: Sendable {
    /// Scalar elements must all differ.
    case value
    /// Mapping elements must differ in this field (their name or id).
    case field(String)
}

/// A field of a mapping in the spec.
public struct Field: Sendable {
    public var name: String
    public var type: SchemaType
    public var required: Bool
    public var doc: String

    public init(_ name: String, _ type: SchemaType, required: Bool = false, _ doc: String) {
        self.name = name
        self.type = type
        self.required = required
        self.doc = doc
    }
}

/// A mapping with named fields; unknown keys are rejected.
public struct ObjectSchema: Sendable {
    public var title: String
    public var doc: String
    public var fields: [Field]
    /// Exactly one of these fields must be given (the kinds of evidence, say).
    public var exactlyOneOf: [String]
    /// At most one of these fields may be given (the kinds of request body, say).
    public var atMostOneOf: [String]

    public init(_ title: String, doc: String, fields: [Field], exactlyOneOf: [String] = [], atMostOneOf: [String] = [])
    {
        self.title = title
        self.doc = doc
        self.fields = fields
        self.exactlyOneOf = exactlyOneOf
        self.atMostOneOf = atMostOneOf
    }

    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

/// A kind of text with its own rule, such as a URL, a duration or an identifier.
public struct StringFormat: Sendable {
    /// How it is named in messages: "a URL such as https://…".
    public var name: String
    /// A regular expression for the JSON Schema (the `check` is what the loader applies).
    public var pattern: String?
    /// A JSON Schema `format` keyword.
    public var jsonFormat: String?
    public var allowsEmpty: Bool
    /// Returns why the text does not fit, or nil when it does.
    public var check: @Sendable (String) -> String?

    public init(
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
