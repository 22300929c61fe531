import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightObserve

/// The routing table checked against the real thing: `amtool config routes test` (Debian package
/// prometheus-alertmanager; scripts/test installs it). Without amtool these tests fail, saying so.
@Suite("The routing walk agrees with amtool")
struct AmtoolRoutesTests {
    static func amtool() throws -> String {
        guard let path = ToolRun.find("amtool") else {
            throw CommandFailure(
                "amtool is not on PATH: install it (apt-get install -y prometheus-alertmanager) to run these tests; scripts/test does"
            )
        }
        return path
    }

    /// What amtool prints for `labels`: the receivers, comma-separated.
    static func amtoolReceivers(_ labels: [String: String], config: String) async throws -> [String] {
        let arguments = labels.sorted { $0.key < $1.key }.map {
            try! LabelMatcher($0.key, .equal, $0.value).description
        }
        let output = try await ChildProcess.run(
            try amtool(), ["config", "routes", "test", "--config.file=\(config)"] + arguments, timeout: 30)
        // amtool warns on stderr that the file overrides the URL; the answer is the other line.
        let answer = output.split(separator: "\n").filter { !$0.hasPrefix("Warning:") }
        return answer.last.map { $0.split(separator: ",").map(String.init) } ?? []
    }

    @Test("every case of the table routes as amtool routes it", arguments: AlertFixtures.routingTable.indices)
    func agrees(index: Int) async throws {
        let (labels, expected) = AlertFixtures.routingTable[index]
        try await withTemporaryFolder { folder in
            let config = try folder.write(AlertFixtures.routing, to: "alertmanager.yml").path
            let theirs = try await Self.amtoolReceivers(labels, config: config)
            let ours = try AlertmanagerRoutes.parse(file: config).receivers(for: labels)
            #expect(theirs == expected, "amtool disagrees with the table for \(labels)")
            #expect(ours == theirs, "\(labels)")
        }
    }

    @Test("amtool accepts the configuration the table is written against")
    func configChecks() async throws {
        try await withTemporaryFolder { folder in
            let config = try folder.write(AlertFixtures.routing, to: "alertmanager.yml").path
            let output = try await ChildProcess.run(try Self.amtool(), ["check-config", config], timeout: 30)
            #expect(output.contains("SUCCESS"))
        }
    }
}
