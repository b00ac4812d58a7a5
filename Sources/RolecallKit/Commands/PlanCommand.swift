import Foundation

/// `rolecall plan`.
public struct PlanRequest: Sendable {
    public var folder = "."
    public var backend: any StateBackend
    /// What to plan (`--now` is `options.now`); `digest` is set from `out` and `format`.
    public var options: PlanOptions
    public var reading = ReadOptions()
    public var format: PlanFormat = .text
    /// What the header names (`--label`, or `GITHUB_SHA` for Markdown).
    public var label: String?
    public var color = false
    /// Where to save the plan for `apply PLANFILE` (`--out`).
    public var out: String?
    /// Exit 2 when the plan has changes.
    public var detailedExitCode = false
    /// A missing state is an error rather than an empty one (`--require-state`, for CI).
    public var requireState = false
    /// Signs the saved plan (HMAC-SHA256) when set: `ROLECALL_PLAN_KEY`, from the environment only.
    public var planKey: String?
    /// Where targets' URLs and tokens come from (`settings.target.url_env`, `token_env`).
    public var environment: [String: String] = [:]
    /// Read each org's target before planning (`--refresh`); false plans from the state alone.
    public var refresh = true
    /// How a SCIM client is made (the HTTP transport; tests may pass another).
    public var makeClient: TargetSetup.ClientMaker = TargetSetup.httpClient

    public init(backend: any StateBackend, options: PlanOptions) {
        self.backend = backend
        self.options = options
    }
}

extension Commands {
    /// Plans, saves the plan with `out`, and renders it. When something stops planning (manifest errors,
    /// an unreadable state, a policy), the output is still a document in the asked format (Markdown and
    /// JSON explain the failure, GitHub annotates it) and the exit status is 1. Orgs with a target are
    /// planned against the state as their servers hold it (with `refresh`); what was changed there outside
    /// rolecall comes first in text output.
    public static func plan(_ request: PlanRequest) async -> CommandResult {
        var options = request.options
        options.digest = request.out != nil || request.format == .json
        var planned = Workflow.plan(manifests: request.folder, store: request.backend, options: options, reading: request.reading)
        var drift = ""
        if TargetSetup.hasTargets(planned) {
            let setup = await TargetSetup.prepare(planned: planned, now: options.now,
                                                  environment: request.environment, refresh: request.refresh, makeClient: request.makeClient)
            guard setup.diagnostics.isEmpty else { return CommandResult(diagnostics: setup.diagnostics, exitCode: 1) }
            if let refreshed = setup.refreshed { planned = Workflow.replan(planned, against: refreshed, options: options) }
            if request.format == .text { drift = DriftItem.render(setup.drift) }
        }
        planned.recordPolicyResults(options: options)
        var notes: [String] = []
        if !planned.stateFound, planned.plan != nil || request.requireState {
            let (note, error) = noStateNotice(at: request.backend, required: request.requireState)
            notes += note.map { [$0] } ?? []
            if let error {
                planned.plan = nil
                planned.diagnostics.append(error)
            }
        }
        let report = PlanReport(plan: planned.plan, diagnostics: planned.diagnostics)
        let renderer = PlanReportRenderer(format: request.format, color: request.color, label: request.label)
        // GitHub output carries the diagnostics as annotations; the others leave them to standard error.
        let diagnostics = request.format == .github ? [] : planned.diagnostics
        guard let plan = planned.plan else {
            var failed = CommandResult(output: drift + renderer.render(report), diagnostics: diagnostics, exitCode: 1, retained: [planned])
            failed.notes = notes
            return failed
        }
        if let out = request.out {
            do {
                try Data(PlanDocument(plan).sealed(key: request.planKey).json.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                return CommandResult(diagnostics: diagnostics + [.error(.planUnwritable, "cannot write plan \(out): \(error.localizedDescription)", at: nil)],
                                     exitCode: 1, retained: [planned])
            }
        }
        let code: Int32 = request.detailedExitCode && !plan.isEmpty ? 2 : 0
        var result = CommandResult(output: drift + renderer.render(report), diagnostics: diagnostics, exitCode: code, retained: [planned])
        result.notes = notes
        return result
    }
}
