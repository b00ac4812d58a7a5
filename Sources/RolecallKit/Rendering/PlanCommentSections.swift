/// Who gains or loses what, per org: one entry per person (see `PlanComment`).
struct PeopleSection {
    let plan: Plan
    private let pairs: [Replacement]
    private let replaced: Set<Int>

    init(plan: Plan) {
        self.plan = plan
        pairs = plan.replacements
        replaced = Set(pairs.flatMap { [$0.removal, $0.addition] })
    }

    /// The person a change is about (a member, their team membership, a grant to them); nil for the rest.
    static func subject(_ change: Change) -> String? {
        switch change.id.kind {
        case .member: return change.id.key
        case .teamMembership, .grant:
            if case let .string(member)? = (change.before ?? change.after)?["member"] { return member }
            return nil
        default: return nil
        }
    }

    func sections(org: String, titled: Bool, expiry: inout ExpiryText) -> [CommentSection] {
        var access: [String: [AccessChange]] = [:]
        for change in plan.accessChanges where change.org == org { access[change.email, default: []].append(change) }
        var bindings: [String: [String]] = [:]
        for (index, change) in plan.changes.enumerated() where change.id.org == org && change.action == .delete
            && !change.reason.isExpiry && !replaced.contains(index) {
            if let who = Self.subject(change) { bindings[who, default: []].append(removal(change)) }
        }
        for pair in pairs where plan.changes[pair.addition].id.org == org {
            if let who = Self.subject(plan.changes[pair.addition]) { bindings[who, default: []].append(replacement(pair)) }
        }
        let people = Set(access.keys).union(bindings.keys).sorted(by: byteOrder)
        guard !people.isEmpty else { return [] }
        let context = plan.context[org]
        var written = expiry
        defer { expiry = written }
        let items = people.map { email -> String in
            var out = "- **`\(Escape.markdownCode(email))`**"
            if context?.isExternal(email) == true || access[email]?.contains(where: { $0.external == true }) == true {
                let inside = (context?.internalDomains ?? []).map { "`\(Escape.markdownCode($0))`" }.joined(separator: ", ")
                out += " · **external**" + (inside.isEmpty ? "" : " (outside \(inside))")
            }
            out += "\n"
            for change in access[email] ?? [] { out += "  - " + line(change, expiry: &written) + "\n" }
            for binding in bindings[email] ?? [] { out += "  - " + binding + "\n" }
            return out
        }
        let title = titled ? " in \(Escape.markdown(org))" : ""
        let head = "\n<!-- rolecall:plan org=\(Escape.html(org)) -->\n#### Who gains or loses access\(title)\n\n"
        return [CommentSection(head: head, items: items, tail: "", noun: "people in \(Escape.markdown(org))")]
    }

    /// `production: viewer → **admin** · grant · through 2026-12-20 (America/New_York) · IAM-1234`.
    private func line(_ change: AccessChange, expiry: inout ExpiryText) -> String {
        let before = Escape.markdown(change.beforeText)
        let after = Escape.markdown(change.afterText)
        var out = "\(Escape.markdown(change.app ?? "org")): \(before) → **\(after)**"
        guard let via = change.via else { return out + " · " + Escape.markdown(change.cause) }
        var why: [String] = []
        if change.expired == true {
            why.append("expired" + (change.expires.map { " " + expiry.markdown($0, org: change.org) } ?? ""))
        } else if change.after == nil, change.pendingAfter == nil {
            why.append(Escape.markdown(change.cause))
        }
        why.append(Escape.markdown(via))
        if change.expired != true, change.after != nil || change.pendingAfter != nil, let end = change.expires {
            why.append(expiry.markdown(end, org: change.org))
        }
        if let ticket = change.ticket { why.append(Escape.markdown(ticket)) }
        out += " · " + why.joined(separator: " · ")
        return out
    }

    /// `removed: grant admin on staging · IAM-1234 · "Configure source maps" · declared at manifests/acme.yaml:19:5`.
    private func removal(_ change: Change) -> String {
        var out = "`-` \(change.id.kind.noun) `\(Escape.markdownCode(change.id.key))` · \(Escape.markdown(change.reason.description))"
        out += ResourceSection.justification(change.before)
        return out
    }

    private func replacement(_ pair: Replacement) -> String {
        let removal = plan.changes[pair.removal]
        let addition = plan.changes[pair.addition]
        let what = Replacement.attributeLines(removal, addition).map { "`\(Escape.markdownCode($0))`" }.joined(separator: ", ")
        return "`-/+` \(addition.id.kind.noun) `\(Escape.markdownCode(addition.id.key))` · \(what)"
            + ResourceSection.justification(addition.after, declared: false)
    }
}

/// The resource changes of one org, as a table folded in `<details>` (see `PlanComment`).
struct ResourceSection {
    let plan: Plan
    private let pairs: [Int: Replacement]
    private let additions: Set<Int>

    init(plan: Plan) {
        self.plan = plan
        var pairs: [Int: Replacement] = [:]
        for pair in plan.replacements { pairs[pair.removal] = pair }
        self.pairs = pairs
        additions = Set(pairs.values.map(\.addition))
    }

    /// ` · IAM-1234 · Configure source maps · declared at `manifests/acme.yaml:19:5``, from what is there.
    static func justification(_ attributes: Attributes?, declared: Bool = true) -> String {
        var out = ""
        if case let .string(ticket)? = attributes?["ticket"] { out += " · ticket \(Escape.markdown(ticket))" }
        if case let .string(reason)? = attributes?["reason"] { out += " · reason: \(Escape.markdown(reason))" }
        if declared, case let .string(place)? = attributes?[State.declaredAtAttribute] {
            out += " · declared at `\(Escape.markdownCode(place))`"
        }
        return out
    }

    func sections(org: String, expiry: inout ExpiryText) -> [CommentSection] {
        var rows: [String] = []
        var counted = Plan(changes: [], notices: [], evaluatedAt: plan.evaluatedAt, nextExpiry: nil, lineage: "", serial: 0,
                           manifestDigest: "", onlyExpired: false)
        for (index, change) in plan.changes.enumerated() where change.id.org == org {
            counted.changes.append(change)
            if additions.contains(index) { continue }
            if let pair = pairs[index] {
                rows.append(replacementRow(pair))
            } else {
                rows.append(row(change, expiry: &expiry))
            }
        }
        guard !rows.isEmpty else { return [] }
        let s = counted.summary
        let head = "\n<details>\n<summary>Resource changes in <b>\(Escape.html(org))</b>: \(s.add) to add, \(s.change) to change, "
            + "\(s.remove) to remove</summary>\n\n| | resource | details | reason | source |\n|---|---|---|---|---|\n"
        return [CommentSection(head: head, items: rows, tail: "\n</details>\n", noun: "resource changes in \(Escape.markdown(org))")]
    }

    private func row(_ change: Change, expiry: inout ExpiryText) -> String {
        let (symbol, _) = Shown.symbol(change.action)
        let details = self.details(change, expiry: &expiry).joined(separator: "<br>")
        var source = change.location.map { "`\(Escape.markdownCode($0.description))`" } ?? ""
        if change.action == .delete, !change.reason.isExpiry, case let .string(place)? = change.before?[State.declaredAtAttribute] {
            source = "declared at `\(Escape.markdownCode(place))`"
        }
        return "| \(symbol) | \(change.id.kind.noun) `\(Escape.markdownCode(change.id.key))` | \(details) | "
            + "\(Escape.markdown(change.reason.description)) | \(source) |\n"
    }

    private func replacementRow(_ pair: Replacement) -> String {
        let removal = plan.changes[pair.removal]
        let addition = plan.changes[pair.addition]
        let details = Replacement.attributeLines(removal, addition).map { "`\(Escape.markdownCode($0))`" }.joined(separator: "<br>")
        return "| -/+ | \(addition.id.kind.noun) `\(Escape.markdownCode(addition.id.key))`<br>replaces `\(Escape.markdownCode(removal.id.key))` | "
            + "\(details) | role changed | " + (addition.location.map { "`\(Escape.markdownCode($0.description))`" } ?? "") + " |\n"
    }

    /// What a reviewer reads of a change: every attribute of an addition or removal but the state's own
    /// bookkeeping (status, invitation instants, target ids, where it was declared); what changes of an
    /// update. Expiries as written, the instant on hover.
    private func details(_ change: Change, expiry: inout ExpiryText) -> [String] {
        var written = expiry
        defer { expiry = written }
        func value(_ key: String, _ v: Value?) -> String {
            guard let v else { return "(none)" }
            if key == "expires", case let .string(instant) = v { return written.markdown(instant, org: change.id.org) }
            return "`\(Escape.markdownCode(v.description))`"
        }
        switch change.action {
        case .create, .delete:
            let attributes = (change.after ?? change.before ?? [:]).sorted { $0.key < $1.key }
            return attributes.filter { !State.isStateOnly($0.key) }.map { "\(Escape.markdown($0.key)): \(value($0.key, $0.value))" }
        case .update:
            return change.changedAttributes.map { key in
                "\(Escape.markdown(key)): \(value(key, change.before?[key])) → \(value(key, change.after?[key]))"
            }
        }
    }
}
