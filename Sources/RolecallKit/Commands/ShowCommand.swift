import Foundation

/// `rolecall show PLANFILE`.
public struct ShowRequest: Sendable {
    public var planfile: String
    public var format: PlanFormat = .text
    /// What the header names (`--label`, or `GITHUB_SHA` for Markdown).
    public var label: String?
    public var color = false

    public init(planfile: String) {
        self.planfile = planfile
    }
}

extension Commands {
    /// Renders a saved plan file.
    public static func show(_ request: ShowRequest) -> CommandResult {
        switch readPlanFile(request.planfile) {
        case let .success(plan):
            let report = PlanReport(plan: plan, diagnostics: [])
            return CommandResult(output: PlanReportRenderer(format: request.format, color: request.color, label: request.label).render(report),
                                 retained: [plan])
        case let .failure(problem):
            return CommandResult(diagnostics: [problem], exitCode: 1)
        }
    }

    /// A plan file written by `plan --out`, or why it cannot be used. `sealed` (for apply) also checks
    /// its digest, an HMAC-SHA256 with `key` (`ROLECALL_PLAN_KEY`) when one is given.
    public static func readPlanFile(_ path: String, sealed: Bool = false, key: String? = nil) -> Result<Plan, Diagnostic> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(.error(.unreadablePlan, "cannot read plan file \(path)", at: nil))
        }
        switch sealed ? PlanDocument.readSealed(data, key: key) : PlanDocument.read(data) {
        case let .success(plan): return .success(plan)
        case let .failure(problem): return .failure(.error(.unreadablePlan, "\(path): \(problem)", at: nil))
        }
    }
}

/// The secret that signs saved plans (HMAC-SHA256), from the environment only; never printed.
public func planKey(environment: [String: String]) -> String? {
    environment["ROLECALL_PLAN_KEY"].flatMap { $0.isEmpty ? nil : $0 }
}
