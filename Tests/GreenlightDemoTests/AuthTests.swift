import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GreenlightDemo

struct AuthTests {
    @Test func signInReturnsTokenAndSessionCookie() async throws {
        try await makeShop().test(.router) { client in
            let response = try await client.postJSON(
                "/api/login", #"{"user":"demo@example.com","password":"demo-password"}"#
            )
            #expect(response.status == .ok)
            let body = jsonObject(response.body)
            let token = try #require(body["token"] as? String)
            #expect(!token.isEmpty)
            #expect(body["user"] as? String == "demo@example.com")
            #expect(response.headers[.setCookie] == "session=\(token); Path=/; HttpOnly")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test(arguments: [
        ("demo@example.com", "demo-password", true),
        ("user1@example.com", "pass-1", true),
        ("user537@example.com", "pass-537", true),
        ("user1000@example.com", "pass-1000", true),
        ("demo@example.com", "wrong", false),
        ("user537@example.com", "pass-538", false),
        ("user1001@example.com", "pass-1001", false),
        ("user0@example.com", "pass-0", false),
        ("user007@example.com", "pass-7", false),
        ("nobody@example.com", "demo-password", false),
        ("", "", false),
    ])
    func credentials(user: String, password: String, accepted: Bool) async throws {
        try await makeShop().test(.router) { client in
            let body = #"{"user":"\#(user)","password":"\#(password)"}"#
            let response = try await client.postJSON("/api/login", body)
            if accepted {
                #expect(response.status == .ok)
                #expect(jsonObject(response.body)["user"] as? String == user)
            } else {
                #expect(response.status == .unauthorized)
                #expect(errorCode(response) == "invalid_credentials")
                #expect(jsonObject(response.body)["message"] is String)
            }
        }
    }

    @Test(arguments: ["", "not json", "[]", #"{"user":"demo@example.com"}"#, #"{"user":1,"password":2}"#, "{"])
    func malformedLoginIsInvalidRequest(body: String) async throws {
        try await makeShop().test(.router) { client in
            let response = try await client.postJSON("/api/login", body)
            #expect(response.status == .badRequest)
            #expect(errorCode(response) == "invalid_request")
        }
    }

    @Test func meAcceptsBearerTokenOrSessionCookie() async throws {
        try await makeShop().test(.router) { client in
            let token = try await client.signIn(user: "user42@example.com", password: "pass-42")
            let viaBearer = try await client.execute(
                uri: "/api/me", method: .get, headers: [.authorization: "Bearer \(token)"]
            )
            #expect(viaBearer.status == .ok)
            #expect(jsonObject(viaBearer.body)["user"] as? String == "user42@example.com")

            let viaCookie = try await client.execute(
                uri: "/api/me", method: .get, headers: [.cookie: "session=\(token)"])
            #expect(viaCookie.status == .ok)
            #expect(jsonObject(viaCookie.body)["user"] as? String == "user42@example.com")
        }
    }

    @Test(
        arguments: [
            [:],
            [HTTPField.Name.authorization: "Bearer 1.00000000000000000000000000000000"],
            [HTTPField.Name.authorization: "Bearer garbage"],
            [HTTPField.Name.authorization: "Basic ZGVtbzpkZW1v"],
            [HTTPField.Name.cookie: "session=not-a-session"],
        ] as [HTTPFields])
    func meWithoutValidSessionIsUnauthorized(headers: HTTPFields) async throws {
        try await makeShop().test(.router) { client in
            _ = try await client.signIn()
            let response = try await client.execute(uri: "/api/me", method: .get, headers: headers)
            #expect(response.status == .unauthorized)
            #expect(errorCode(response) == "unauthorized")
        }
    }

    @Test func tokensDoNotCrossShops() async throws {
        let token = try await makeShop().test(.router) { client in try await client.signIn() }
        try await makeShop().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/me", method: .get, headers: [.authorization: "Bearer \(token)"]
            )
            #expect(response.status == .unauthorized)
        }
    }
}
