import Foundation

/// Builds a multipart/form-data body (RFC 7578).
package struct MultipartBody: Sendable {
    package struct Part: Sendable {
        package var name: String
        package var filename: String?
        package var contentType: String?
        package var data: Data

        package init(name: String, filename: String? = nil, contentType: String? = nil, data: Data) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    package var boundary: String
    package var parts: [Part]

    package init(
        parts: [Part], boundary: String = "greenlight-" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    ) {
        self.parts = parts
        self.boundary = boundary
    }

    package var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    package func encoded() -> Data {
        var body = Data()
        for part in parts {
            body.append(Data("--\(boundary)\r\n".utf8))
            var disposition = "Content-Disposition: form-data; name=\"\(Self.escape(part.name))\""
            if let filename = part.filename { disposition += "; filename=\"\(Self.escape(filename))\"" }
            body.append(Data((disposition + "\r\n").utf8))
            if let type = part.contentType ?? (part.filename != nil ? "application/octet-stream" : nil) {
                body.append(Data("Content-Type: \(type)\r\n".utf8))
            }
            body.append(Data("\r\n".utf8))
            body.append(part.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return body
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "%22")
            .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }
}
