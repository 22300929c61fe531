import GreenlightJSON

/// Writes a ``SchemaType`` as JSON Schema (draft 2020-12), for editors and CI linting.
package enum JSONSchema {
    package static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// The JSON Schema of `release.yaml`.
    package static func releaseSpec() -> JSONValue {
        document(ReleaseSpec.schema, id: "urn:greenlight:schema:release:v1")
    }

    /// The JSON Schema of a risk policy file.
    package static func policy() -> JSONValue {
        document(PolicyFile.schema, id: "urn:greenlight:schema:policy:v1")
    }

    static func document(_ schema: ObjectSchema, id: String) -> JSONValue {
        guard case .object(var pairs) = object(schema) else { return .null }
        pairs.insert(("$schema", .string(dialect)), at: 0)
        pairs.insert(("$id", .string(id)), at: 1)
        pairs.insert(("title", .string(schema.doc)), at: 2)
        return .object(pairs)
    }

    /// A value written `${VAR}` is text in YAML whatever the field's type; it is checked after substitution.
    static let substitution: JSONValue = .object([
        ("type", .string("string")), ("pattern", .string("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}")),
    ])

    static func type(_ t: SchemaType, doc: String? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        if let doc { pairs.append(("description", .string(doc))) }
        switch t {
        case .any:
            break
        case .string(let format):
            pairs += stringKeywords(format)
        case .integer(let min, let max, _):
            var number: [(String, JSONValue)] = [("type", .string("integer"))]
            if let min { number.append(("minimum", .int(min))) }
            if let max { number.append(("maximum", .int(max))) }
            pairs.append(("anyOf", .array([.object(number), substitution])))
        case .number(let min, let max, let exclusive):
            var number: [(String, JSONValue)] = [("type", .string("number"))]
            if let min { number.append((exclusive ? "exclusiveMinimum" : "minimum", .double(min))) }
            if let max { number.append(("maximum", .double(max))) }
            pairs.append(("anyOf", .array([.object(number), substitution])))
        case .boolean:
            pairs.append(("anyOf", .array([.object([("type", .string("boolean"))]), substitution])))
        case .choice(let options):
            pairs.append(("enum", .array(options.map(JSONValue.string))))
        case .list(let element, let minItems, _):
            pairs.append(("type", .string("array")))
            pairs.append(("items", type(element)))
            if minItems > 0 { pairs.append(("minItems", .int(minItems))) }
        case .object(let schema):
            guard case .object(let inner) = object(schema) else { break }
            pairs += inner.filter { $0.0 != "description" || doc == nil }
        case .dictionary(let key, let value):
            pairs.append(("type", .string("object")))
            pairs.append(("propertyNames", .object(stringKeywords(key))))
            pairs.append(("additionalProperties", type(value)))
        case .scalarOrObject(let format, let schema):
            var scalar = stringKeywords(format)
            if format.pattern == nil, format.jsonFormat == nil {
                scalar = [("type", .array([.string("string"), .string("number"), .string("boolean")]))]
            }
            pairs.append(("oneOf", .array([.object(scalar), object(schema)])))
        }
        return .object(pairs)
    }

    static func stringKeywords(_ format: StringFormat) -> [(String, JSONValue)] {
        // YAML reads a plain 2.14 or 15 as a number; greenlight takes any scalar as text, and so does the schema.
        var pairs: [(String, JSONValue)] = []
        if let pattern = format.pattern {
            pairs.append(("type", .string("string")))
            pairs.append(("pattern", .string(pattern)))
        } else {
            pairs.append(("type", .array([.string("string"), .string("number"), .string("boolean")])))
            if !format.allowsEmpty { pairs.append(("minLength", .int(1))) }
        }
        if let jsonFormat = format.jsonFormat { pairs.append(("format", .string(jsonFormat))) }
        return pairs
    }

    static func object(_ schema: ObjectSchema) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("description", .string(schema.doc)),
            ("type", .string("object")),
            ("properties", .object(schema.fields.map { ($0.name, type($0.type, doc: $0.doc)) })),
        ]
        let required = schema.fields.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { pairs.append(("required", .array(required))) }
        if !schema.exactlyOneOf.isEmpty {
            pairs.append(("oneOf", .array(schema.exactlyOneOf.map { .object([("required", .array([.string($0)]))]) })))
        }
        if schema.atMostOneOf.count > 1 {
            var pairsOfFields: [JSONValue] = []
            for (i, a) in schema.atMostOneOf.enumerated() {
                for b in schema.atMostOneOf[(i + 1)...] {
                    pairsOfFields.append(.object([("required", .array([.string(a), .string(b)]))]))
                }
            }
            pairs.append(("not", .object([("anyOf", .array(pairsOfFields))])))
        }
        pairs.append(("additionalProperties", .bool(false)))
        return .object(pairs)
    }
}
