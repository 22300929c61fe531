import Foundation
import GreenlightJSON

extension JSONValue {
    /// Reads a YAML document (no `${VAR}` substitution) as JSON, typed by YAML 1.2's core schema.
    package init(yamlData data: Data, file: String) throws(SpecError) {
        let (root, diagnostics) = YAMLDocument(file: file, environment: [:], substitutes: false).read(data)
        guard let root, diagnostics.isEmpty else { throw SpecError(diagnostics) }
        self = JSONValue(yaml: root)
    }

    /// Reads a YAML value with YAML 1.2 core-schema typing: plain `true`, `12`, `1.5`, `null` are typed; quoted text stays text.
    package init(yaml value: SpecValue) {
        switch value.kind {
        case .null: self = .null
        case .sequence(let items): self = .array(items.map(JSONValue.init(yaml:)))
        case .mapping(let entries): self = .object(entries.map { ($0.key, JSONValue(yaml: $0.value)) })
        case .scalar(let text):
            if value.quoted || value.isSecret {
                self = .string(text)
            } else if let b = SchemaValidator.parseBool(text) {
                self = .bool(b)
            } else if let i = Int(text) {
                self = .int(i)
            } else if text.contains("."), let d = SchemaValidator.parseNumber(text) {
                self = .double(d)
            } else {
                self = .string(text)
            }
        }
    }
}
