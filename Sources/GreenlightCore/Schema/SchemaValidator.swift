import Foundation
import GreenlightCore

/// Checks a ``SpecValue`` tree against a ``SchemaType``, collecting every problem rather than stopping at the first.
struct SchemaValidator {
    private(set) var diagnostics: [Diagnostic] = []

    mutating func report(_ value: SpecValue, _ path: FieldPath, _ message: String) {
        diagnostics.append(Diagnostic(value.location, path.description, message))
    }

    mutating func validate(_ value: SpecValue, _ type: SchemaType, _ path: FieldPath) {
        if value.unresolved { return }
        if value.isNull, case .any = type { return }
        if value.isNull {
            report(value, path, "has no value; expected \(type.expectation)")
            return
        }
        switch type {
        case .any:
            return
        case .string(let format):
            guard let text = value.scalar else { return mismatch(value, type, path) }
            checkString(text, format, value, path)
        case .integer(let min, let max, let why):
            guard let text = scalarForNumber(value, type, path) else { return }
            guard let number = Int(text) else {
                if Double(text) != nil, text.contains(".") {
                    return report(value, path, "must be a whole number, got \(value.shownForError)")
                }
                return report(value, path, "expected a whole number, got \(value.shownForError)")
            }
            checkRange(Double(number), min.map(Double.init), max.map(Double.init), exclusive: false, why, value, path)
        case .number(let min, let max, let exclusive):
            guard let text = scalarForNumber(value, type, path) else { return }
            guard let number = Self.parseNumber(text) else {
                return report(value, path, "expected a number, got \(value.shownForError)")
            }
            checkRange(number, min, max, exclusive: exclusive, nil, value, path)
        case .boolean:
            guard let text = value.scalar else { return mismatch(value, type, path) }
            if Self.parseBool(text) == nil {
                if ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) {
                    return report(
                        value, path,
                        "expected true or false, got \(value.shownForError) (YAML 1.1's yes/no/on/off are ambiguous; write true or false)"
                    )
                }
                report(value, path, "expected true or false, got \(value.shownForError)")
            }
        case .choice(let options):
            guard let text = value.scalar else { return mismatch(value, type, path) }
            if !options.contains(text) {
                let hint = value.isSecret ? nil : Suggest.closest(to: text, among: options)
                report(
                    value, path,
                    "must be one of \(options.joined(separator: ", ")); got \(value.shownForError)"
                        + (hint.map { " (did you mean '\($0)'?)" } ?? ""))
            }
        case .list(let element, let minItems, let unique):
            guard let elements = value.elements else {
                if value.scalar != nil, case .list(.string, _, _) = type {
                    return report(
                        value, path,
                        "expected a list, got \(value.shownForError); write it as [\(value.isSecret ? "…" : value.scalar!)] or as lines starting with '- '"
                    )
                }
                return mismatch(value, type, path)
            }
            if elements.count < minItems {
                report(
                    value, path,
                    minItems == 1
                        ? "must not be empty" : "must have at least \(minItems) entries, got \(elements.count)")
            }
            for (i, item) in elements.enumerated() { validate(item, element, path.index(i)) }
            if let unique { checkUnique(elements, unique, path) }
        case .object(let schema):
            guard let entries = value.entries else { return mismatch(value, type, path) }
            validateObject(value, entries, schema, path)
        case .dictionary(let keyFormat, let valueType):
            guard let entries = value.entries else { return mismatch(value, type, path) }
            for entry in entries {
                if let problem = keyProblem(entry.key, keyFormat) {
                    diagnostics.append(Diagnostic(entry.keyLocation, path.key(entry.key).description, problem))
                }
                validate(entry.value, valueType, path.key(entry.key))
            }
        case .scalarOrObject(let format, let schema):
            if let text = value.scalar {
                checkString(text, format, value, path)
            } else if let entries = value.entries {
                validateObject(value, entries, schema, path)
            } else {
                mismatch(value, type, path)
            }
        }
    }

    mutating func validateObject(
        _ value: SpecValue, _ entries: [SpecValue.Entry], _ schema: ObjectSchema, _ path: FieldPath
    ) {
        let names = schema.fields.map(\.name)
        for entry in entries {
            guard let field = schema.field(entry.key) else {
                var message = "unknown field"
                if let guess = Suggest.closest(to: entry.key, among: names) {
                    message += "; did you mean '\(guess)'?"
                }
                message += " (\(schema.title) takes: \(names.joined(separator: ", ")))"
                diagnostics.append(Diagnostic(entry.keyLocation, path.key(entry.key).description, message))
                continue
            }
            if entry.value.isNull, !field.required, !isStringish(field.type) { continue }
            validate(entry.value, field.type, path.key(entry.key))
        }
        let present = Set(entries.filter { !$0.value.isNull }.map(\.key))
        let given = Set(entries.map(\.key))
        for field in schema.fields where field.required && !given.contains(field.name) {
            diagnostics.append(
                Diagnostic(value.location, path.key(field.name).description, "is required but missing (\(field.doc))")
            )
        }
        let bodies = schema.atMostOneOf.filter { present.contains($0) }
        if bodies.count > 1 {
            report(
                value, path,
                "takes at most one of \(schema.atMostOneOf.joined(separator: ", ")); got \(bodies.joined(separator: " and "))"
            )
        }
        if !schema.exactlyOneOf.isEmpty {
            let chosen = schema.exactlyOneOf.filter { present.contains($0) }
            let options = schema.exactlyOneOf.joined(separator: ", ")
            if chosen.isEmpty {
                report(value, path, "needs one of \(options)")
            } else if chosen.count > 1 {
                report(value, path, "takes only one of \(options); got \(chosen.joined(separator: " and "))")
            }
        }
    }

    private func isStringish(_ type: SchemaType) -> Bool {
        if case .string = type { return true }
        return false
    }

    private mutating func mismatch(_ value: SpecValue, _ type: SchemaType, _ path: FieldPath) {
        report(value, path, "expected \(type.expectation), got \(value.shownForError)")
    }

    private mutating func checkString(_ text: String, _ format: StringFormat, _ value: SpecValue, _ path: FieldPath) {
        if text.isEmpty, !format.allowsEmpty {
            return report(value, path, "must not be empty; expected \(format.name)")
        }
        if let problem = format.check(text) {
            report(value, path, "\(problem), got \(value.shownForError)")
        }
    }

    private func keyProblem(_ key: String, _ format: StringFormat) -> String? {
        if key.isEmpty { return "a key must not be empty" }
        return format.check(key)
    }

    private mutating func scalarForNumber(_ value: SpecValue, _ type: SchemaType, _ path: FieldPath) -> String? {
        guard let text = value.scalar else {
            mismatch(value, type, path)
            return nil
        }
        if value.quoted, !value.source.contains("${") {
            report(value, path, "expected \(type.expectation), got the text \(value.shownForError); remove the quotes")
            return nil
        }
        return text
    }

    private mutating func checkRange(
        _ number: Double, _ min: Double?, _ max: Double?, exclusive: Bool, _ why: String?, _ value: SpecValue,
        _ path: FieldPath
    ) {
        let why = why.map { " (\($0))" } ?? ""
        let shown = value.isSecret ? value.shownForError : Format.number(number)
        if let min, exclusive ? number <= min : number < min {
            let bound = exclusive ? "greater than \(Format.number(min))" : "at least \(Format.number(min))"
            return report(value, path, "must be \(bound)\(why), got \(shown)")
        }
        if let max, number > max {
            return report(value, path, "must be at most \(Format.number(max))\(why), got \(shown)")
        }
        // A field without bounds of its own still has the bounds the code can hold: rates, counts and
        // durations multiply into whole numbers, which must not overflow.
        if !(abs(number) <= Self.largestNumber) {
            report(
                value, path,
                "must be between -\(Format.number(Self.largestNumber)) and \(Format.number(Self.largestNumber)) (the largest number greenlight takes), got \(value.isSecret ? value.shownForError : String(number))"
            )
        }
    }

    /// The largest magnitude any numeric field takes, whatever its own bounds.
    static let largestNumber = 1e12

    private mutating func checkUnique(_ elements: [SpecValue], _ rule: UniqueRule, _ path: FieldPath) {
        var seen: [String: SourceLocation] = [:]
        for (i, element) in elements.enumerated() {
            let keyValue: SpecValue?
            let noun: String
            switch rule {
            case .value:
                keyValue = element
                noun = "entry"
            case .field(let name):
                keyValue = element[name]
                noun = name
            }
            guard let keyValue, let key = keyValue.scalar else { continue }
            if let first = seen[key] {
                let shown = keyValue.isSecret ? keyValue.shownForError : "'\(key)'"
                var itemPath = path.index(i)
                if case .field(let name) = rule { itemPath = itemPath.key(name) }
                diagnostics.append(
                    Diagnostic(
                        keyValue.location, itemPath.description,
                        "duplicate \(noun) \(shown) (first at line \(first.line)); each must be unique")
                )
            } else {
                seen[key] = keyValue.location
            }
        }
    }

    /// A number as YAML 1.2's core schema writes one: digits, sign, point, exponent (no `_`, no `.inf`).
    static func parseNumber(_ text: String) -> Double? {
        let allowed = text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || "+-.eE".unicodeScalars.contains($0) }
        guard allowed, let number = Double(text), number.isFinite else { return nil }
        return number
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

}
