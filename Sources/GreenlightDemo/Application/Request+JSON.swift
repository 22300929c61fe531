import Foundation
import Hummingbird

extension Request {
    /// Largest JSON body an API endpoint reads.
    static let maximumJSONBodyBytes = 64 * 1024

    /// The body, read up to `limit` bytes; a larger one is a 413 `too_large`.
    func collectBody(limit: Int) async throws -> ByteBuffer {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.tooLarge("the body has \(declared) bytes; at most \(limit) are accepted")
        }
        var request = self
        do {
            return try await request.collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.tooLarge("the body is larger than \(limit) bytes")
        }
    }

    /// The JSON body decoded as `type`; anything malformed is a 400 `invalid_request` saying what was wrong.
    func decodeJSON<Value: Decodable>(_ type: Value.Type) async throws -> Value {
        let buffer = try await collectBody(limit: Self.maximumJSONBodyBytes)
        do {
            return try JSONDecoder().decode(Value.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError.invalidRequest(Self.explain(error))
        } catch {
            throw APIError.invalidRequest("the body is not valid JSON")
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "the field `\(path(context.codingPath + [key]))` is missing"
        case .typeMismatch(let type, let context):
            return "the field `\(path(context.codingPath))` must be \(describe(type))"
        case .valueNotFound(let type, let context):
            return "the field `\(path(context.codingPath))` must be \(describe(type)), not null"
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return "the field `\(path(context.codingPath))` is malformed"
        default:
            return "the body is not valid JSON: send a JSON object"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        default: "\(type)"
        }
    }
}
