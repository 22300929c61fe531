/// The dotted path of a field inside a spec, such as `smoke.scenarios[0].steps[2].expect.status`.
package struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    package private(set) var description: String

    package init(_ text: String = "") { description = text }

    package func key(_ name: String) -> FieldPath {
        let plain = name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        if !plain { return FieldPath(description + "[\"\(name)\"]") }
        return FieldPath(description.isEmpty ? name : description + "." + name)
    }

    package func index(_ i: Int) -> FieldPath { FieldPath(description + "[\(i)]") }
}
