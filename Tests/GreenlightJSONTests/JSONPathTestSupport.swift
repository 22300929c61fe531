import Foundation
import GreenlightCore
import Testing

@testable import GreenlightJSON

/// Helpers shared by the JSONPath and JSON parsing tests.
enum JSONPathFixtures {
    /// JSON text for a test, parsed by the parser under test; a malformed fixture fails the test that uses it.
    static func json(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> JSONValue {
        try #require(
            try? JSONValue(parsing: Data(text.utf8)), "fixture is not JSON: \(text)", sourceLocation: sourceLocation)
    }

    /// The nodes `query` selects from `document`, both given as text.
    static func select(_ query: String, in document: String) throws -> [JSONValue] {
        try JSONPath(parsing: query).select(in: json(document))
    }

    /// The elements of a JSON array given as text: the nodelist a test expects.
    static func nodes(_ text: String) throws -> [JSONValue] {
        guard case .array(let elements) = try json(text) else {
            Issue.record("expected nodelist is not an array: \(text)")
            return []
        }
        return elements
    }

    /// The document of RFC 9535 Figure 1 (section 1.5).
    static let bookstore = """
        { "store": {
            "book": [
              { "category": "reference",
                "author": "Nigel Rees",
                "title": "Sayings of the Century",
                "price": 8.95
              },
              { "category": "fiction",
                "author": "Evelyn Waugh",
                "title": "Sword of Honour",
                "price": 12.99
              },
              { "category": "fiction",
                "author": "Herman Melville",
                "title": "Moby Dick",
                "isbn": "0-553-21311-3",
                "price": 8.99
              },
              { "category": "fiction",
                "author": "J. R. R. Tolkien",
                "title": "The Lord of the Rings",
                "isbn": "0-395-19395-8",
                "price": 22.99
              }
            ],
            "bicycle": {
              "color": "red",
              "price": 399
            }
          }
        }
        """
}

/// Seeded, so a failing fuzz case can be replayed from its seed.
typealias JSONFuzzRandom = SplitMix64
