/// Numbers as people write them: `3`, not `3.0`; `0.5`, not `0.50000`.
package func formatNumber(_ number: Double) -> String { SchemaValidator.format(number) }
