import Foundation

/// What one policy rule found in one org: carried in the plan document (`policies`), so that teams
/// with rules of their own (OPA, conftest) can read rolecall's verdicts next to the changes.
public struct PolicyResult: Codable, Sendable, Hashable {
    public enum Stage: String, Codable, Sendable, Hashable {
        /// Checked on the manifests (by `validate`, `plan` and `apply`).
        case manifest
        /// Checked on the plan's changes.
        case plan
    }

    public enum Status: String, Codable, Sendable, Hashable {
        case pass
        /// Findings a reviewer should see that do not stop a plan (protected roles in `plan`).
        case warn
        case fail
    }

    /// One thing the rule found: what and where.
    public struct Finding: Codable, Sendable, Hashable {
        public var message: String
        public var location: SourceLocation?

        public init(message: String, location: SourceLocation?) {
            self.message = message
            self.location = location
        }
    }

    public var org: String
    /// The setting that turned the rule on: `external_max_days`, `max_grant_days`, `require_ticket`,
    /// `require_reason` or `protected_roles`.
    public var rule: String
    public var stage: Stage
    public var status: Status
    /// Where the rule is set in the manifests (nil for an org the manifests no longer declare).
    public var location: SourceLocation?
    public var findings: [Finding]

    public init(org: String, rule: String, stage: Stage, status: Status, location: SourceLocation?, findings: [Finding]) {
        self.org = org
        self.rule = rule
        self.stage = stage
        self.status = status
        self.location = location
        self.findings = findings
    }

    /// The result of a rule from the diagnostics it reported: failed on an error, warned on a warning.
    init(org: String, rule: String, stage: Stage, location: SourceLocation?, diagnostics: [Diagnostic]) {
        let status: Status = diagnostics.hasErrors ? .fail : (diagnostics.isEmpty ? .pass : .warn)
        self.init(org: org, rule: rule, stage: stage, status: status, location: location,
                  findings: diagnostics.map { Finding(message: $0.message, location: $0.location) })
    }
}
