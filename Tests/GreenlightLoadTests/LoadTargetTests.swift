import Testing

@testable import GreenlightLoad

@Suite("Load targets")
struct LoadTargetTests {
    @Test("an IPv6 literal connects to the bare address and keeps its brackets in Host and URLs")
    func ipv6Literal() throws {
        let target = try LoadTarget(url: "http://[::1]:8080/api")
        #expect(target.host == "::1")
        #expect(target.authority == "[::1]:8080")
        #expect(target.baseURL == "http://[::1]:8080/api")
        #expect(try LoadTarget(url: "https://[::1]/").authority == "[::1]")
    }

    @Test(
        "a port outside 1-65535 is bad input, named with the URL",
        arguments: ["http://127.0.0.1:0/", "http://h:65536/"])
    func badPort(url: String) {
        #expect(throws: LoadTarget.InvalidURL.self) { try LoadTarget(url: url) }
    }
}
