import ArgumentParser
import Foundation
import GreenlightCanary
import GreenlightJSON
import GreenlightReports

extension Greenlight {
    struct JudgeCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "judge",
            abstract: "Judge an experiment's sample of a metric against the control's (canary).",
            discussion: """
                A two-sided Mann-Whitney U test and the Hodges-Lehmann shift (experiment minus control) \
                with Moses' distribution-free confidence interval. The interval entirely above 0 is High, \
                entirely below 0 is Low, otherwise Pass; a shift within --tolerance times the control's \
                median is Pass. --direction says which move is bad. See docs/canary-judge.md.

                Each file holds a JSON array of numbers, or one number per line (blank lines and lines \
                starting with # are skipped); - reads standard input (for one of the two).

                  greenlight judge --control baseline.txt --experiment canary.txt
                  greenlight judge --control a.json --experiment b.json \\
                      --direction increase --confidence 0.99 --tolerance 0.05 --json

                Exit codes: 0 no failure for the direction (Pass, Nodata, or a move the direction \
                allows), 1 High or Low counts as a failure, 2 invalid input.
                """
        )

        @Option(help: ArgumentHelp("The control's (baseline's) sample.", valueName: "file"))
        var control: String

        @Option(help: ArgumentHelp("The experiment's (canary's) sample.", valueName: "file"))
        var experiment: String

        @Option(help: ArgumentHelp("Which move is bad: increase, decrease or either.", valueName: "direction"))
        var direction: String = "either"

        @Option(help: ArgumentHelp("The confidence of the shift's interval, in (0, 1).", valueName: "level"))
        var confidence: Double = 0.98

        @Option(help: ArgumentHelp("The shift allowed, relative to the control's median.", valueName: "fraction"))
        var tolerance: Double = 0.10

        @Flag(help: "Print the judgement as one JSON object.")
        var json = false

        func validate() throws {
            if control == "-", experiment == "-" {
                throw ValidationError("--control and --experiment cannot both read standard input (-)")
            }
            if Direction(rawValue: direction) == nil {
                throw ValidationError("--direction must be increase, decrease or either; got '\(direction)'")
            }
            if !(confidence > 0 && confidence < 1) {
                throw ValidationError("--confidence must be strictly between 0 and 1, e.g. 0.98; got \(confidence)")
            }
            if !(tolerance >= 0 && tolerance.isFinite) {
                throw ValidationError("--tolerance must be a number of at least 0, e.g. 0.10; got \(tolerance)")
            }
        }

        func run() async throws {
            let options = SampleJudgement.Options(
                direction: Direction(rawValue: direction) ?? .either, confidence: confidence, tolerance: tolerance)
            let judgement: SampleJudgement
            do {
                let controlValues = try SampleFile.values(of: try Self.read(control), name: control)
                let experimentValues = try SampleFile.values(of: try Self.read(experiment), name: experiment)
                judgement = try SampleJudgement(experiment: experimentValues, control: controlValues, options: options)
            } catch {
                throw LedgerInput.usage(error.message)
            }
            if json {
                Terminal.out(Self.json(judgement).serialized(pretty: true))
            } else {
                Terminal.out(judgement.summaryLines.map(TerminalText.clean).joined(separator: "\n"))
            }
            if judgement.fails { throw ExitCode(ExitStatus.notReady) }
        }

        /// The bytes of a file, or of standard input for `-`.
        private static func read(_ path: String) throws(JudgeError) -> Data {
            if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw JudgeError("\(path): no such file")
            }
            guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
                throw JudgeError("\(path): cannot be read as a file")
            }
            return data
        }

        static func json(_ judgement: SampleJudgement) -> JSONValue {
            func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
            return .object([
                ("classification", .string(judgement.classification.rawValue)),
                ("observed", .string(judgement.observed.rawValue)),
                ("fails", .bool(judgement.fails)),
                ("direction", .string(judgement.options.direction.rawValue)),
                ("confidence", .double(judgement.options.confidence)),
                ("tolerance", .double(judgement.options.tolerance)),
                ("n_control", .int(judgement.controlCount)),
                ("n_experiment", .int(judgement.experimentCount)),
                ("median_control", number(judgement.controlMedian)),
                ("median_experiment", number(judgement.experimentMedian)),
                ("u", number(judgement.u)),
                ("p_value", number(judgement.pValue)),
                ("hodges_lehmann", number(judgement.hodgesLehmann)),
                ("ci_low", number(judgement.ciLow)),
                ("ci_high", number(judgement.ciHigh)),
                ("effect", number(judgement.effect)),
            ])
        }
    }
}
