package import Foundation
import GreenlightCanary
import GreenlightHTTP
import GreenlightJSON
package import OpenAPIRuntime

/// The server's client of the canary routers' admin APIs (`serve --router URL`): their status for the
/// dashboard and the API, and the weight, set on every router at once.
struct RouterClient: Sendable {
    let admins: [String]
    let token: String?
    let session: HTTPSession?

    var traffic: RouterAdminTraffic? {
        session.map { RouterAdminTraffic(admins: admins, token: token, session: $0) }
    }

    /// Each router's `GET /status`, or why it did not answer.
    func statuses() async -> [Components.Schemas.RouterStatus] {
        guard let session else { return [] }
        return await withTaskGroup(of: (Int, Components.Schemas.RouterStatus).self) { group in
            for (index, admin) in admins.enumerated() {
                group.addTask {
                    var headers: [(name: String, value: String)] = []
                    if let token, !token.isEmpty { headers.append(("Authorization", "Bearer \(token)")) }
                    do {
                        let response = try await session.send(
                            HTTPRequestRecord(method: "GET", url: admin + "/status", headers: headers, body: Data()),
                            timeout: .seconds(3))
                        guard response.status == 200 else {
                            return (index, .init(admin: admin, reachable: true, error: "HTTP \(response.status)"))
                        }
                        let status = try? JSONDecoder().decode(OpenAPIObjectContainerBox.self, from: response.body)
                        var weight: Double?
                        if let json = try? JSONValue(parsing: response.body) {
                            if case .double(let value)? = json["weight"] { weight = value }
                            if case .int(let value)? = json["weight"] { weight = Double(value) }
                        }
                        return (
                            index,
                            .init(
                                admin: admin, reachable: true, weight: weight,
                                status: status.map { .init(additionalProperties: $0.value) })
                        )
                    } catch {
                        return (index, .init(admin: admin, reachable: false, error: "\(error)"))
                    }
                }
            }
            var all: [(Int, Components.Schemas.RouterStatus)] = []
            for await item in group { all.append(item) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}

/// Decodes any JSON object as the generated code's free-form container.
private struct OpenAPIObjectContainerBox: Decodable {
    let value: OpenAPIObjectContainer
    init(from decoder: any Decoder) throws { value = try OpenAPIObjectContainer(from: decoder) }
}
