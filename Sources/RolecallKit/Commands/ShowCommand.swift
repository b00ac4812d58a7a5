import Foundation

/// `rolecall show PLANFILE`.
public struct ShowRequest: Sendable {
    public var planfile: String
    public var format: PlanFormat = .text
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
            return CommandResult(output: PlanReportRenderer(format: request.format, color: request.color).render(report),
                                 retained: [plan])
        case let .failure(problem):
            return CommandResult(diagnostics: [problem], exitCode: 1)
        }
    }

    /// A plan file written by `plan --out`, or why it cannot be used.
    public static func readPlanFile(_ path: String) -> Result<Plan, Diagnostic> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(.error("cannot read plan file \(path)", at: nil))
        }
        switch PlanDocument.read(data) {
        case let .success(plan): return .success(plan)
        case let .failure(problem): return .failure(.error("\(path): \(problem)", at: nil))
        }
    }
}
