extension JSONValue {
    /// Canonical JSON text: ``serialized(pretty:)`` of the value with every object's members sorted.
    ///
    /// Members are sorted by the UTF-8 bytes of their names (not by locale or Unicode collation), at
    /// every depth; there is no whitespace; strings escape only `"`, `\` and control characters; an
    /// integral number below 10^15 is written as an integer and any other number in Swift's shortest
    /// round-trip form. Parsing canonical text and writing it again gives the same bytes, so the text
    /// can be hashed and stored. Two values whose objects repeat a member name have no canonical form
    /// that survives a parse (the parser keeps one member); check ``repeatedMemberName`` first.
    public func canonicalSerialized() -> String { sortingMembers().serialized() }

    /// The value with every object's members sorted by the UTF-8 bytes of their names, at every depth.
    public func sortingMembers() -> JSONValue {
        switch self {
        case .array(let items): return .array(items.map { $0.sortingMembers() })
        case .object(let pairs):
            return .object(
                pairs.map { ($0.0, $0.1.sortingMembers()) }.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) })
        default: return self
        }
    }

    /// The first member name that an object of this value holds twice, at any depth; nil when none does.
    public var repeatedMemberName: String? {
        switch self {
        case .array(let items):
            for item in items { if let name = item.repeatedMemberName { return name } }
            return nil
        case .object(let pairs):
            var seen = Set<[UInt8]>()
            for (name, value) in pairs {
                if !seen.insert(Array(name.utf8)).inserted { return name }
                if let inner = value.repeatedMemberName { return inner }
            }
            return nil
        default: return nil
        }
    }
}
