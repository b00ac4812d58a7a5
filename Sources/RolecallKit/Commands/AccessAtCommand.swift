import Foundation

extension Commands {
    /// `rolecall access ... --at INSTANT`: the question answered from the audit log replayed up to that
    /// instant, with the records in force then (when, by whom, ticket, reason). Answers go back to the
    /// log's first record, and need every record to carry the resource's attributes (logs written by
    /// rolecall before it recorded them cannot say which role a member held).
    static func accessAt(_ request: AccessRequest, at instant: Date) -> CommandResult {
        guard let path = request.auditPath else {
            return .failure(.auditUnreadable, "access --at replays the audit log: name one with --audit-log (a PostgreSQL state's rolecall_audit table "
                            + "does not hold the attributes a replay needs)")
        }
        let history: AuditHistory
        do {
            history = try AuditHistory.read(path: path)
        } catch {
            return CommandResult(diagnostics: [error.diagnostic], exitCode: 1)
        }
        if let old = history.firstUnreplayable {
            return .failure(.auditBeforeHistory, "\(path):\(old.line): this record names \(old.id) without its attributes (written by a rolecall "
                            + "that did not log them), so the log cannot be replayed; --at needs a log whose every record carries them")
        }
        guard let first = history.entries.first, first.time <= instant else {
            let begins = history.entries.first.map { "begins at \(Timestamp.format($0.time))" } ?? "holds no records"
            return .failure(.auditBeforeHistory, "the audit log \(path) \(begins): it cannot say who had access at \(Timestamp.format(instant))")
        }
        let snapshot = history.replay(until: instant)
        var warnings: [Diagnostic] = []
        if let unseen = snapshot.unseen.first {
            warnings.append(.warning(.auditIncomplete, "\(path) changes \(unseen) before recording its creation: the log began after the state, "
                                     + "so access granted before \(Timestamp.format(first.time)) and never changed since may be missing", at: nil))
        }
        let resources = ResourceTable(snapshot.resources)
        let unknown = AccessVocabulary(resources).problems(app: request.app, role: request.role, permission: request.permission)
        guard unknown.isEmpty else { return CommandResult(diagnostics: warnings + unknown, exitCode: 1) }
        let people = AccessRenderer.select(EffectiveAccess.compute(resources, now: instant), request.query)
        if case let .person(email) = request.query, people.isEmpty {
            return CommandResult(diagnostics: warnings + [.error(.notAMemberHere, "\(email) was a member of no org at \(Timestamp.format(instant))",
                                                                  at: nil)], exitCode: 1)
        }
        var out = "At \(Timestamp.format(instant)), from the audit log \(path) (it begins at \(Timestamp.format(first.time))):\n\n"
        out += AccessRenderer(format: request.format == .csv ? .csv : .text).render(people, query: request.query)
        out += InForce(snapshot: snapshot).lines(for: people).joined()
        return CommandResult(output: out, diagnostics: warnings)
    }
}

/// The records in force for some people: each resource that gives them access, with the change that
/// put it there (when, by whom) and its ticket and reason.
struct InForce {
    let snapshot: AuditHistory.Snapshot

    func lines(for people: [EffectiveAccess.Person]) -> [String] {
        var out: [String] = []
        for person in people {
            let teams = Set(snapshot.resources.compactMap { id, a -> String? in
                guard id.org == person.org, id.kind == .teamMembership, EffectiveAccess.string(a, "member") == person.email else { return nil }
                return EffectiveAccess.string(a, "team")
            })
            let ids = snapshot.resources.filter { id, a in
                guard id.org == person.org else { return false }
                switch id.kind {
                case .member: return id.key == person.email
                case .teamMembership, .grant:
                    return EffectiveAccess.string(a, "member") == person.email || (id.kind == .grant && teams.contains(EffectiveAccess.string(a, "team") ?? ""))
                case .apiKey: return EffectiveAccess.string(a, "owner") == person.email
                default: return false
                }
            }.keys.sorted()
            guard !ids.isEmpty else { continue }
            out.append("In force for \(Escape.text(person.email)) in org \(Escape.text(person.org)):\n")
            for id in ids { out.append("  " + line(id) + "\n") }
            out.append("\n")
        }
        return out
    }

    private func line(_ id: ResourceID) -> String {
        let a = snapshot.resources[id]
        var parts = [Escape.text(id.description)]
        if let role = EffectiveAccess.string(a, "role") { parts.append("role \(Escape.text(role))") }
        if let since = snapshot.since[id] {
            parts.append("since \(Timestamp.format(since.time)) by \(Escape.text(since.actor)) (\(Escape.text(since.reason)))")
        }
        parts.append("ticket " + (EffectiveAccess.string(a, "ticket").map(Escape.text) ?? "none"))
        if let reason = EffectiveAccess.string(a, "reason") { parts.append("reason \"\(Escape.text(reason))\"") }
        if let expires = EffectiveAccess.string(a, "expires") { parts.append("until \(Escape.text(expires))") }
        return parts.joined(separator: ", ")
    }
}
