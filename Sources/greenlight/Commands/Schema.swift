import ArgumentParser
import GreenlightCore

extension Greenlight {
    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "Print the JSON Schema (2020-12) of release.yaml.",
            discussion: """
                The schema is generated from the same definitions the loader validates with. Point your \
                editor's YAML language server at it for completion, or lint in CI:

                  greenlight schema > release.schema.json
                  # first line of release.yaml:
                  # yaml-language-server: $schema=./release.schema.json
                """
        )

        @Flag(help: "Print the schema of a risk policy file instead.")
        var policy = false

        func run() async throws {
            Terminal.out((policy ? JSONSchema.policy() : JSONSchema.releaseSpec()).serialized(pretty: true))
        }
    }
}
