import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightGate
import GreenlightReports

extension Greenlight {
    struct Risk: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "risk",
            abstract: "Assess a release's risk and check its rollout against what the risk requires.",
            discussion: """
                score = likelihood (1-5) x impact (1-5). Impact is given, or derived from blast_radius, \
                recovery_minutes, users_affected_percent and revenue_per_minute. The score falls in a risk \
                class, and the class requires controls: the largest first canary step, the fewest steps, the \
                shortest bake per step, a feature-flag kill switch, automated rollback, manual approval, \
                and the sign-off roles. Every shortfall is reported on its own.

                  greenlight risk release.yaml
                  greenlight risk --show-policy > policy.yaml    # the defaults, to edit
                  greenlight risk release.yaml --policy policy.yaml

                Exit codes: 0 the rollout meets the class's requirements, 1 it falls short, 2 invalid input.
                """
        )

        @Argument(
            help: ArgumentHelp("The release spec to read.", valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
        var file: String?

        @Option(help: ArgumentHelp("A risk policy file overriding the built-in policy.", valueName: "file"))
        var policy: String?

        @Flag(
            help:
                "Print the built-in policy as commented YAML (or, with --policy, check that file and print it) and exit."
        )
        var showPolicy = false

        @Flag(help: "Print the assessment as JSON.")
        var json = false

        func validate() throws {
            if file == nil, !showPolicy { throw ValidationError("Give a release spec to assess, or --show-policy.") }
        }

        func run() async throws {
            if showPolicy {
                if let policy {
                    _ = try SpecInput.policy(policy)
                    Terminal.out(
                        String(decoding: FileManager.default.contents(atPath: policy) ?? Data(), as: UTF8.self))
                } else {
                    Terminal.out(RiskPolicy.standardYAML)
                }
                return
            }
            let (spec, policy) = try SpecInput.load(file: file!, policy: self.policy)
            let review: RiskReview
            do {
                review = try RiskReview(spec: spec, policy: policy)
            } catch {
                throw error.exit()
            }
            if json {
                let data = try Report.encoder(pretty: true).encode(review)
                Terminal.out(String(decoding: data, as: UTF8.self))
            } else {
                Terminal.out(RiskRenderer.render(review.risk, checks: review.checks, color: Terminal.colorEnabled()))
            }
            if review.fallsShort { throw ExitCode(ExitStatus.notReady) }
        }
    }
}
