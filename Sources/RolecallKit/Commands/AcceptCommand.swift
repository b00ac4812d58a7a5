import Foundation

/// `rolecall state accept EMAIL --org ORG`.
public struct AcceptRequest: Sendable {
    public var email: String
    public var org: String
    public var backend: any StateBackend
    /// How long to wait for the state lock (0: fail at once).
    public var lockTimeout: TimeInterval = 0
    /// The audit log (nil: only the backend's own, as PostgreSQL keeps).
    public var auditPath: String?
    public var environment: [String: String] = [:]
    /// When the acceptance is recorded (`accepted_at`).
    public var now = Date()

    public init(email: String, org: String, backend: any StateBackend, auditPath: String?) {
        self.email = email
        self.org = org
        self.backend = backend
        self.auditPath = auditPath
    }
}

extension Commands {
    /// Records, under the state lock, that a member accepted their invitation.
    public static func accept(_ request: AcceptRequest) -> CommandResult {
        let lock: any StateLock
        switch request.backend.lockOrDiagnose(environment: request.environment, timeout: request.lockTimeout) {
        case let .success(held): lock = held
        case let .failure(problem): return CommandResult(diagnostics: [problem], exitCode: 1)
        }
        defer { lock.release() }
        let state: State
        switch request.backend.readOrDiagnose() {
        case let .success(read?): state = read
        case .success(nil): return .failure(.noState, "no state at \(request.backend.location)")
        case let .failure(problem): return CommandResult(diagnostics: [problem], exitCode: 1)
        }
        let email = request.email.lowercased()
        switch Workflow.accept(email: request.email, org: request.org, state: state, backend: request.backend, lock: lock,
                               audit: request.auditPath.map { AuditLog(path: $0) }, actor: Workflow.actor(environment: request.environment),
                               now: request.now) {
        case .success(nil):
            return CommandResult(output: "\(email) is already active in org '\(request.org)'; nothing to record.\n")
        case let .success(recorded?):
            return CommandResult(output: "Recorded: \(email) accepted the invitation to org '\(request.org)'; state serial \(recorded.serial).\n")
        case let .failure(problem):
            return CommandResult(diagnostics: [problem], exitCode: 1)
        }
    }
}
