/// The dotted path of a field inside a spec, such as `smoke.scenarios[0].steps[2].expect.status`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public private(set) var description: String

    public init(_ text: String = "") { description = text }

    public func key(_ name: String) -> FieldPath {
        let plain = name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        if !plain { return FieldPath(description + "[\"\(name)\"]") }
        return FieldPath(description.isEmpty ? name : description + "." + name)
    }

    public func index(_ i: Int) -> FieldPath { FieldPath(description + "[\(i)]") }
}
