import Foundation

/// `rolecall state pull|push|list|show|rm`: read, move and repair the recorded state (a file or a
/// PostgreSQL state). The logic is `StateTools`; these read, lock and write.
extension Commands {
    /// The state as JSON, byte for byte the state file format.
    public static func statePull(backend: any StateBackend) -> CommandResult {
        switch existingState(backend) {
        case let .success(state): return CommandResult(output: String(decoding: StateCodec.encode(state), as: UTF8.self), retained: [state])
        case let .failure(problem): return problem
        }
    }

    /// Replaces the state with the state file at `file` (see `StateTools.push`).
    public static func statePush(file: String, backend: any StateBackend, force: Bool, lockTimeout: TimeInterval,
                                 environment: [String: String]) -> CommandResult {
        guard let data = FileManager.default.contents(atPath: file) else { return .failure(.stateUnreadable, "cannot read \(file)") }
        let pushed: State
        switch StateCodec.decode(data) {
        case let .success(state): pushed = state
        case let .failure(problem): return .failure(.stateInvalid, "\(file): \(problem)")
        }
        return locked(backend, environment: environment, timeout: lockTimeout) { lock in
            let current: State?
            switch backend.readOrDiagnose() {
            case let .success(read): current = read
            case let .failure(problem): return CommandResult(diagnostics: [problem], exitCode: 1)
            }
            switch StateTools.push(pushed, over: current, force: force) {
            case let .failure(refusal): return .failure(.pushRefused, refusal.description)
            case let .success(next):
                if let problem = write(next, replacing: current.flatMap(StateVersion.init(of:)), backend: backend, lock: lock) { return problem }
                return CommandResult(output: "Pushed \(file) to \(backend.location): lineage \(next.lineage), serial \(next.serial).\n")
            }
        }
    }

    /// The state names in a PostgreSQL database, one per line.
    public static func stateList(backend: any StateBackend) -> CommandResult {
        guard let postgres = backend as? PostgresStateBackend else {
            return .failure(.needsPostgres, "state list needs a PostgreSQL state (--state postgres://...); \(backend.location) is a file")
        }
        do {
            return CommandResult(output: try postgres.stateNames().map { $0 + "\n" }.joined())
        } catch {
            return CommandResult(diagnostics: [error.diagnostic], exitCode: 1)
        }
    }

    /// The state's resources as a table (addresses as `state rm` takes them), only `org`'s when given.
    public static func stateShow(backend: any StateBackend, org: String?) -> CommandResult {
        switch existingState(backend) {
        case let .success(state): return CommandResult(output: StateTools.table(state, org: org), retained: [state])
        case let .failure(problem): return problem
        }
    }

    /// Forgets the resource at `address` (`ORG/KIND/KEY`) without touching the target.
    public static func stateRemove(address: String, backend: any StateBackend, lockTimeout: TimeInterval,
                                   environment: [String: String]) -> CommandResult {
        guard let parsed = StateAddress(address) else {
            return .failure(.invalidAddress, "'\(address)' is not an address: ORG/KIND/KEY, KIND one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return locked(backend, environment: environment, timeout: lockTimeout) { lock in
            let state: State
            switch existingState(backend) {
            case let .success(read): state = read
            case let .failure(problem): return problem
            }
            guard let next = StateTools.remove(parsed, from: state) else { return .failure(.notInState, "no resource \(parsed) in state \(backend.location)") }
            if let problem = write(next, replacing: StateVersion(of: state), backend: backend, lock: lock) { return problem }
            return CommandResult(output: "Removed \(parsed) from the state (the target was not touched); state serial \(next.serial).\n")
        }
    }

    private static func existingState(_ backend: any StateBackend) -> Result<State, CommandResult> {
        switch backend.readOrDiagnose() {
        case let .success(state?): return .success(state)
        case .success(nil): return .failure(.failure(.noState, "no state at \(backend.location)"))
        case let .failure(problem): return .failure(CommandResult(diagnostics: [problem], exitCode: 1))
        }
    }

    private static func locked(_ backend: any StateBackend, environment: [String: String], timeout: TimeInterval,
                               _ body: (any StateLock) -> CommandResult) -> CommandResult {
        switch backend.lockOrDiagnose(environment: environment, timeout: timeout) {
        case let .success(lock):
            defer { lock.release() }
            return body(lock)
        case let .failure(problem):
            return CommandResult(diagnostics: [problem], exitCode: 1)
        }
    }

    private static func write(_ state: State, replacing version: StateVersion?, backend: any StateBackend, lock: any StateLock) -> CommandResult? {
        do {
            try backend.write(state, replacing: version, holding: lock)
            return nil
        } catch {
            return CommandResult(diagnostics: [error.diagnostic], exitCode: 1)
        }
    }
}

extension CommandResult: Error {}
