import Foundation

extension JSONValue {
    /// Reads a YAML document (no `${VAR}` substitution) as JSON, typed by YAML 1.2's core schema.
    public init(yamlData data: Data, file: String) throws(SpecError) {
        let (root, diagnostics) = YAMLDocument(file: file, environment: [:], substitutes: false).read(data)
        guard let root, diagnostics.isEmpty else { throw SpecError(diagnostics) }
        self = JSONValue(yaml: root)
    }
}
