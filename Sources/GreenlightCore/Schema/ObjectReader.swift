import GreenlightJSON

/// A type read from a mapping of the spec, whose fields its ``schema`` declares.
package protocol SpecObject: Sendable {
    static var schema: ObjectSchema { get }
    init(reading reader: ObjectReader)
}

extension SpecObject {
    package static var schemaType: SchemaType { .object(schema) }
}

/// Reads typed values out of an already-validated mapping. A value that is missing or failed
/// validation reads as nil, so reading never throws; the validator has already said what was wrong.
package struct ObjectReader: Sendable {
    package let value: SpecValue?
    package let schema: ObjectSchema

    package init(_ value: SpecValue?, _ schema: ObjectSchema) {
        self.value = value
        self.schema = schema
    }

    /// The same fields as read where `{{name}}` placeholders are filled (requests and their assertions):
    /// braces that came from the environment are literals there (see ``SpecValue/templated()``).
    package func templated() -> ObjectReader { ObjectReader(value?.templated(), schema) }

    /// The raw value of a declared field, nil when absent or null.
    package func raw(_ key: String) -> SpecValue? {
        precondition(schema.field(key) != nil, "\(schema.title) reads '\(key)', which its schema does not declare")
        guard let v = value?[key], !v.isNull else { return nil }
        return v
    }

    package func location(_ key: String) -> SourceLocation? { raw(key)?.location }

    package func has(_ key: String) -> Bool { raw(key) != nil }

    package func string(_ key: String) -> String? {
        guard let text = raw(key)?.scalar, !text.isEmpty else { return nil }
        if case .string(let format)? = schema.field(key)?.type, format.check(text) != nil { return nil }
        return text
    }

    package func int(_ key: String) -> Int? { raw(key)?.scalar.flatMap { Int($0) } }

    package func double(_ key: String) -> Double? { raw(key)?.scalar.flatMap(SchemaValidator.parseNumber) }

    package func bool(_ key: String) -> Bool? { raw(key)?.scalar.flatMap(SchemaValidator.parseBool) }

    package func duration(_ key: String) -> SpecDuration? { raw(key)?.scalar.flatMap { SpecDuration($0) } }

    package func date(_ key: String) -> CalendarDate? { raw(key)?.scalar.flatMap { CalendarDate($0) } }

    package func choice<T: RawRepresentable>(_ key: String, as: T.Type = T.self) -> T? where T.RawValue == String {
        raw(key)?.scalar.flatMap { T(rawValue: $0) }
    }

    package func object<T: SpecObject>(_ key: String, as: T.Type = T.self) -> T? {
        guard let v = raw(key), v.entries != nil else { return nil }
        return T(reading: ObjectReader(v, T.schema))
    }

    package func list<T: SpecObject>(_ key: String, of: T.Type = T.self) -> [T] {
        (raw(key)?.elements ?? []).compactMap { element in
            element.entries == nil ? nil : T(reading: ObjectReader(element, T.schema))
        }
    }

    package func strings(_ key: String) -> [String] {
        (raw(key)?.elements ?? []).compactMap(\.scalar)
    }

    package func numbers(_ key: String) -> [Double] {
        (raw(key)?.elements ?? []).compactMap { $0.scalar.flatMap(SchemaValidator.parseNumber) }
    }

    package func stringMap(_ key: String) -> [(key: String, value: String)] {
        (raw(key)?.entries ?? []).compactMap { entry in entry.value.scalar.map { (entry.key, $0) } }
    }

    /// A mapping of user-named entries, each read as `T`.
    package func namedObjects<T: SpecObject>(_ key: String, of: T.Type = T.self) -> [(name: String, value: T)] {
        (raw(key)?.entries ?? []).compactMap { entry in
            entry.value.entries == nil ? nil : (entry.key, T(reading: ObjectReader(entry.value, T.schema)))
        }
    }

    /// Any value, with an explicit YAML null read as JSON null (so `equals: null` means null).
    package func json(_ key: String) -> JSONValue? {
        precondition(schema.field(key) != nil, "\(schema.title) reads '\(key)', which its schema does not declare")
        return value?[key].map(JSONValue.init(yaml:))
    }
}
