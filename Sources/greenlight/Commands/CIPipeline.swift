import ArgumentParser
import Foundation
import GreenlightCore

/// The CI pipelines `greenlight init --ci` writes, and the names they share with the repository's
/// `action.yml`, `ci/gitlab/greenlight.gitlab-ci.yml` and `Dockerfile` (docs/ci.md).
enum CIPipeline: String, CaseIterable, ExpressibleByArgument {
    case github
    case gitlab

    /// greenlight's repository: the GitHub Action, the release tarballs and the GitLab template live there.
    static let repository = "greenlight-dev/greenlight"
    /// The action's major-version tag, moved to each compatible release.
    static let actionRef = "v1"
    /// The container image (the root Dockerfile), tagged with the release's version.
    static let image = "ghcr.io/greenlight-dev/greenlight"
    /// The GitLab template's path in the repository.
    static let gitlabTemplatePath = "ci/gitlab/greenlight.gitlab-ci.yml"

    static var action: String { "\(repository)@\(actionRef)" }

    /// The template pinned to this release's tag, as the generated .gitlab-ci.yml includes it.
    static var gitlabTemplateURL: String {
        "https://raw.githubusercontent.com/\(repository)/v\(GreenlightVersion.current)/\(gitlabTemplatePath)"
    }

    /// Where the pipeline goes unless `--output` says otherwise.
    var defaultOutput: String {
        switch self {
        case .github: ".github/workflows/greenlight.yml"
        case .gitlab: ".gitlab-ci.yml"
        }
    }

    /// Where CI users set the ledger's secrets.
    var secretsPlace: String {
        switch self {
        case .github: "Settings → Secrets and variables → Actions"
        case .gitlab: "Settings → CI/CD → Variables"
        }
    }

    func text(spec: String) -> String {
        let template =
            switch self {
            case .github: Self.githubTemplate
            case .gitlab: Self.gitlabTemplate
            }
        return
            template
            .replacingOccurrences(of: "{{spec}}", with: spec)
            .replacingOccurrences(of: "{{version}}", with: GreenlightVersion.current)
            .replacingOccurrences(of: "{{action}}", with: Self.action)
            .replacingOccurrences(of: "{{template_url}}", with: Self.gitlabTemplateURL)
            .replacingOccurrences(of: "{{template_path}}", with: Self.gitlabTemplatePath)
    }

    /// Why `spec` cannot go into a pipeline as written, or nil. The path is written into YAML and shell
    /// words unquoted, so it keeps to characters that need no quoting anywhere.
    static func specProblem(_ spec: String) -> String? {
        if spec.isEmpty { return "the path is empty; name the release spec, such as release.yaml" }
        if spec.hasPrefix("/") {
            return "name the spec relative to the repository's root (the pipeline runs in a checkout), not \(spec)"
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-")
        if spec.hasPrefix("-") || !spec.allSatisfy(allowed.contains) {
            return
                "a spec path in a pipeline holds ASCII letters, digits, '.', '_', '-' and '/', and does not start with '-'"
        }
        return nil
    }
}

extension CIPipeline {
    static let githubTemplate = """
        # greenlight's release pipeline, written by `greenlight init --ci github` (greenlight {{version}}).
        # docs/ci.md in greenlight's repository explains each job. Every push and pull request validates the
        # spec and runs the readiness check; on the default branch the pipeline goes on: it lists the
        # sign-offs, asks the gate, deploys only through an open gate, then runs the canary rollout.
        #
        # Secrets (Settings → Secrets and variables → Actions):
        #   GREENLIGHT_LEDGER        the release ledger that every job and every signer shares: a PostgreSQL
        #                            URL (postgres://user:password@host:5432/db?sslmode=require), or the team
        #                            server's https:// URL. Without it each job gets an empty ledger of its
        #                            own and the gate cannot open.
        #   GREENLIGHT_TOKEN         the bearer token of the team server, with an https:// ledger (unused with
        #                            postgres://).
        #   GREENLIGHT_ROUTER_TOKEN  the canary routers' admin token, for the rollout job.
        # Sign-offs are not made here: each signer runs `greenlight signoff` on their own machine, with their
        # own key, against the same GREENLIGHT_LEDGER.
        name: greenlight

        on:
          push:
          pull_request:
          workflow_dispatch:

        permissions:
          contents: read

        env:
          GREENLIGHT_SPEC: "{{spec}}"
          GREENLIGHT_LEDGER: ${{ secrets.GREENLIGHT_LEDGER }}
          GREENLIGHT_TOKEN: ${{ secrets.GREENLIGHT_TOKEN }}

        jobs:
          validate:
            name: Validate the spec
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              # {{action}} installs greenlight {{version}} (a release tarball) and runs the command.
              - uses: {{action}}
                with:
                  version: "{{version}}"
                  args: validate ${{ env.GREENLIGHT_SPEC }}

          check:
            name: Readiness check
            needs: validate
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - name: Warn when the report would go to a throwaway ledger
                if: env.GREENLIGHT_LEDGER == '' && github.event_name != 'pull_request' && github.ref_name == github.event.repository.default_branch
                run: echo "::warning::GREENLIGHT_LEDGER is not set; this report is recorded nowhere that signers or the gate can see (docs/ci.md)."
              # Exit 1 on NO-GO fails the job. The report folder (report.json, report.md, junit.xml,
              # report.html) is uploaded as the artifact greenlight-report either way, and greenlight appends
              # report.md to this job's summary page itself ($GITHUB_STEP_SUMMARY).
              # GitHub has no test tab for JUnit: junit.xml is in the artifact, for a JUnit reporter action of
              # your choice.
              # Only the default branch records its report in the ledger (sign-offs bind to the latest report;
              # a newer one makes them stale); other branches and pull requests check with --no-record.
              - uses: {{action}}
                with:
                  version: "{{version}}"
                  args: >-
                    check ${{ env.GREENLIGHT_SPEC }} --report-dir greenlight-report
                    ${{ (github.event_name == 'pull_request' || github.ref_name != github.event.repository.default_branch) && '--no-record' || '' }}
                  report-dir: greenlight-report
                  artifact-name: greenlight-report

          signoffs:
            name: Sign-offs
            needs: check
            if: github.event_name != 'pull_request' && github.ref_name == github.event.repository.default_branch
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - name: Require the shared ledger
                if: env.GREENLIGHT_LEDGER == ''
                run: |
                  echo "::error::Set the secret GREENLIGHT_LEDGER to the shared ledger (a postgres:// or https:// URL); docs/ci.md"
                  exit 1
              # The release's history, read only: the latest report with the roles it needs, and the
              # sign-offs collected so far (also on the summary page). The gate job names what is missing.
              - uses: {{action}}
                with:
                  version: "{{version}}"
                  args: ledger show ${{ env.GREENLIGHT_SPEC }}
                  step-summary: "true"

          gate:
            name: Gate
            needs: signoffs
            if: github.event_name != 'pull_request' && github.ref_name == github.event.repository.default_branch
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - name: Require the shared ledger
                if: env.GREENLIGHT_LEDGER == ''
                run: |
                  echo "::error::Set the secret GREENLIGHT_LEDGER to the shared ledger (a postgres:// or https:// URL); docs/ci.md"
                  exit 1
              # Open (exit 0) only when the latest report is GO, every role it needs approved that exact report
              # and the spec is unchanged since; otherwise closed (exit 1), each missing piece listed here and on
              # the summary page. Once the signers have signed, re-run this job ("Re-run failed jobs"), not the
              # whole workflow: a new check would make their approvals stale. Every decision is recorded in the
              # ledger, asked by $GITHUB_ACTOR.
              - uses: {{action}}
                with:
                  version: "{{version}}"
                  args: gate ${{ env.GREENLIGHT_SPEC }}
                  step-summary: "true"

          deploy:
            name: Deploy
            needs: gate
            if: github.event_name != 'pull_request' && github.ref_name == github.event.repository.default_branch
            runs-on: ubuntu-latest
            environment: production
            concurrency:
              group: greenlight-deploy
              cancel-in-progress: false
            steps:
              - uses: actions/checkout@v4
              # Your deploy goes here; it runs only after the gate opened for this release.
              - name: Deploy
                run: echo "::warning::Replace this step with your deploy (the gate is open)."

          rollout:
            name: Canary rollout
            needs: deploy
            if: github.event_name != 'pull_request' && github.ref_name == github.event.repository.default_branch
            # The rollout sets the weight on the routers' admin API (the spec's rollout.proxy.admin_listen):
            # run it where that is reachable, such as a self-hosted runner in your network.
            runs-on: ubuntu-latest
            timeout-minutes: 360
            concurrency:
              group: greenlight-rollout
              cancel-in-progress: false
            env:
              GREENLIGHT_ROUTER_TOKEN: ${{ secrets.GREENLIGHT_ROUTER_TOKEN }}
            steps:
              - uses: actions/checkout@v4
              - name: Require the shared ledger
                if: env.GREENLIGHT_LEDGER == ''
                run: |
                  echo "::error::Set the secret GREENLIGHT_LEDGER to the shared ledger (a postgres:// or https:// URL); docs/ci.md"
                  exit 1
              # Each step: set the weight, bake, judge, advance or roll back (exit 1). A step that waits for a
              # person goes on when someone runs `greenlight rollout approve {{spec}} --by NAME`.
              - uses: {{action}}
                with:
                  version: "{{version}}"
                  args: rollout ${{ env.GREENLIGHT_SPEC }}
                  step-summary: "true"

        """

    static let gitlabTemplate = """
        # greenlight's release pipeline, written by `greenlight init --ci gitlab` (greenlight {{version}}).
        # docs/ci.md in greenlight's repository explains each job. Every branch and merge request validates
        # the spec and runs the readiness check; on the default branch the pipeline goes on: it lists the
        # sign-offs, asks the gate, deploys only through an open gate, then runs the canary rollout.
        #
        # CI/CD variables (Settings → CI/CD → Variables; masked, and protected so that only protected
        # branches see them):
        #   GREENLIGHT_LEDGER        the release ledger that every job and every signer shares: a PostgreSQL
        #                            URL (postgres://user:password@host:5432/db?sslmode=require), or the team
        #                            server's https:// URL. Without it each job gets an empty ledger of its
        #                            own and the gate cannot open.
        #   GREENLIGHT_TOKEN         the bearer token of the team server, with an https:// ledger (unused with
        #                            postgres://).
        #   GREENLIGHT_ROUTER_TOKEN  the canary routers' admin token, for the rollout job.
        # Sign-offs are not made here: each signer runs `greenlight signoff` on their own machine, with their
        # own key, against the same GREENLIGHT_LEDGER.

        include:
          # greenlight's template, pinned to this release: the hidden jobs .greenlight-* extended below, run in
          # greenlight's image. Without internet access, mirror greenlight's repository and include instead:
          #   - project: your-group/greenlight
          #     ref: v{{version}}
          #     file: {{template_path}}
          - remote: {{template_url}}

        stages:
          - validate
          - check
          - signoff
          - gate
          - deploy
          - rollout

        variables:
          GREENLIGHT_VERSION: "{{version}}"
          GREENLIGHT_SPEC: "{{spec}}"

        # One pipeline per change: merge request pipelines for merge requests, branch pipelines otherwise.
        workflow:
          rules:
            - if: $CI_PIPELINE_SOURCE == "merge_request_event"
            - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS
              when: never
            - if: $CI_COMMIT_BRANCH

        greenlight:validate:
          extends: .greenlight-validate
          stage: validate

        # Exit 1 on NO-GO fails the job. The report folder is kept as an artifact either way, linked from the
        # merge request as "greenlight report"; junit.xml fills the pipeline's Tests tab.
        # Only the default branch records its report in the ledger (sign-offs bind to the latest report; a
        # newer one makes them stale); other branches and merge requests check with --no-record.
        greenlight:check:
          extends: .greenlight-check
          stage: check
          needs: ["greenlight:validate"]
          rules:
            - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
            - when: on_success
              variables:
                GREENLIGHT_CHECK_ARGS: --no-record

        # The release's history, read only: the latest report with the roles it needs, and the sign-offs
        # collected so far. The gate job names what is missing.
        greenlight:signoffs:
          extends: .greenlight-signoffs
          stage: signoff
          needs: ["greenlight:check"]
          rules:
            - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

        # Open (exit 0) only when the latest report is GO, every role it needs approved that exact report and
        # the spec is unchanged since; otherwise closed (exit 1), each missing piece listed. Once the signers
        # have signed, retry this job, not the pipeline: a new check would make their approvals stale. Every
        # decision is recorded in the ledger, asked by $GITLAB_USER_LOGIN.
        greenlight:gate:
          extends: .greenlight-gate
          stage: gate
          needs: ["greenlight:signoffs"]
          rules:
            - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

        # Your deploy goes here; it runs only after the gate opened for this release.
        deploy:
          stage: deploy
          needs: ["greenlight:gate"]
          environment: production
          resource_group: production
          rules:
            - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
          script:
            - echo "Replace this job's script with your deploy (the gate is open)."

        # Each step: set the weight, bake, judge, advance or roll back (exit 1). A step that waits for a person
        # goes on when someone runs `greenlight rollout approve {{spec}} --by NAME`. The routers' admin API
        # (the spec's rollout.proxy.admin_listen) must be reachable from the runner.
        greenlight:rollout:
          extends: .greenlight-rollout
          stage: rollout
          needs: ["deploy"]
          resource_group: production-rollout
          rules:
            - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

        """
}
