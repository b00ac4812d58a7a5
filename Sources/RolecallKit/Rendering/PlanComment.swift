/// The pull-request comment (`plan --format markdown`), laid out for the reviewer, who decides on people:
///
/// 1. a hidden marker (`<!-- rolecall:plan -->`, what the sticky-comment step looks for) and a header:
///    the commit (`GITHUB_SHA` or `--label`), the summary, the state serial and the evaluation instant;
/// 2. policy results that warn or fail;
/// 3. per org, who gains or loses what: each person's access changes (external people flagged, roles
///    waiting for an invitation shown as pending acceptance, expiries as written), then what is removed
///    from them with its ticket, reason and where it was declared, and role changes as one replacement;
/// 4. per org, the resource changes, folded in `<details>`;
/// 5. notices.
///
/// The comment stays under `limit` characters (GitHub refuses comments over 65,536): when it would not,
/// the largest sections lose their last entries until it fits, and a closing notice says what was cut
/// and where the whole plan is.
struct PlanComment {
    var plan: Plan
    var label: String?
    var limit: Int

    /// The marker the sticky-comment step finds the comment by (the first line of every comment).
    static let marker = "<!-- rolecall:plan -->"

    func render() -> String {
        var expiry = ExpiryText(plan.context)
        var sections = policySections()
        let orgs = Set(plan.changes.map(\.id.org)).union(plan.accessChanges.map(\.org)).sorted(by: byteOrder)
        let people = PeopleSection(plan: plan)
        let resources = ResourceSection(plan: plan)
        for org in orgs {
            sections += people.sections(org: org, titled: orgs.count > 1, expiry: &expiry)
        }
        for org in orgs {
            sections += resources.sections(org: org, expiry: &expiry)
        }
        sections += noticeSections()
        let head = header()
        // Room for the closing note (about 300 characters and 60 per section it names) and each section's cut line.
        let reserve = 400 + sections.count * 200
        CommentSection.fit(&sections, within: limit - head.utf8.count - reserve)
        var out = head
        for section in sections { out += section.rendered }
        let cut = sections.filter { $0.shown < $0.items.count }
        if !cut.isEmpty {
            out += "\n> [!NOTE]\n> Not shown here (the comment stays under GitHub's 65,536 characters): "
                + cut.map { "\(grouped($0.items.count - $0.shown)) of \(grouped($0.items.count)) \($0.noun)" }.joined(separator: "; ")
                + ".\n> The whole plan is in this run's job summary and its `rolecall-plan` artifact "
                + "(`rolecall show plan.json` prints it).\n"
        }
        return out
    }

    /// The marker and `### rolecall plan for commit `0123456789ab``: a commit id shortened to 12
    /// characters, any other label as given (at most 200 characters).
    static func title(_ label: String?) -> String {
        var out = marker + "\n### rolecall plan"
        if let label = label?.trimmingCharacters(in: .whitespacesAndNewlines), !label.isEmpty {
            let isCommit = label.count >= 7 && label.count <= 64 && label.allSatisfy(\.isHexDigit)
            out += isCommit ? " for commit `\(Escape.markdownCode(String(label.prefix(12))))`"
                : " for `\(Escape.markdownCode(String(label.prefix(200))))`"
        }
        return out + "\n"
    }

    private func header() -> String {
        var out = Self.title(label)
        out += "\n**\(plan.summaryLine)** State serial \(plan.serial), expiries evaluated at "
            + "`\(Timestamp.format(plan.evaluatedAt))`.\n"
        if plan.onlyExpired { out += "\nOnly expiry revocations (`--only-expired`).\n" }
        // Counted by kind: an expired API key or team membership is not a "grant".
        var expired: [ResourceKind: Int] = [:]
        for change in plan.changes where change.reason.isExpiry { expired[change.id.kind, default: 0] += 1 }
        if !expired.isEmpty {
            let counts = expired.sorted { $0.key < $1.key }.map { plural($0.value, $0.key.noun) }
            out += "\n> [!IMPORTANT]\n> Expired access will be revoked: \(counts.joined(separator: ", ")).\n"
        }
        return out
    }

    /// Policy rules that warn or fail, one table (findings capped per rule).
    private func policySections() -> [CommentSection] {
        let shown = plan.policies.filter { $0.status != .pass }
        guard !shown.isEmpty else { return [] }
        let rows = shown.map { result -> String in
            var findings = result.findings.prefix(5).map { finding in
                Escape.markdown(finding.message) + (finding.location.map { " `\(Escape.markdownCode($0.description))`" } ?? "")
            }
            if result.findings.count > 5 { findings.append("… and \(result.findings.count - 5) more") }
            return "| \(Escape.markdown(result.org)) | `\(Escape.markdownCode(result.rule))` | **\(result.status.rawValue)** | "
                + findings.joined(separator: "<br>") + " |\n"
        }
        return [CommentSection(head: "\n#### Policies\n\n| org | rule | status | findings |\n|---|---|---|---|\n", items: rows,
                               tail: "", noun: "policy results")]
    }

    private func noticeSections() -> [CommentSection] {
        guard !plan.notices.isEmpty else { return [] }
        let items = plan.notices.map { "- \(Escape.markdown($0.message, blockStart: true))\n" }
        return [CommentSection(head: "\n#### Notices\n\n", items: items, tail: "", noun: "notices")]
    }
}

/// One part of the comment: a head, entries that may be cut from the end, a tail.
struct CommentSection {
    var head: String
    var items: [String]
    var tail: String
    /// What the entries are, for the notice: `resource changes in acme`.
    var noun: String
    /// How many entries are kept.
    var shown: Int

    init(head: String, items: [String], tail: String, noun: String) {
        self.head = head
        self.items = items
        self.tail = tail
        self.noun = noun
        shown = items.count
    }

    var rendered: String {
        var out = head
        for item in items.prefix(shown) { out += item }
        if shown < items.count { out += cutLine }
        return out + tail
    }

    /// Where entries were cut, in the section itself (a table row for a table, else a list item).
    private var cutLine: String {
        let what = "… and \(grouped(items.count - shown)) more \(noun) not shown (see the note at the end)"
        return head.hasSuffix("|---|\n") ? "| | \(what) | | | |\n" : "- \(what)\n"
    }

    /// Drops the last entries of the largest sections until all of them fit in `budget` characters (UTF-8).
    static func fit(_ sections: inout [CommentSection], within budget: Int) {
        var sizes = sections.map { $0.items.map(\.utf8.count) }
        var kept = sizes.map { $0.reduce(0, +) }
        var total = zip(sections, kept).reduce(0) { $0 + $1.0.head.utf8.count + $1.0.tail.utf8.count + $1.1 }
        while total > budget {
            guard let largest = kept.indices.max(by: { kept[$0] < kept[$1] }), kept[largest] > 0 else { return }
            let last = sections[largest].shown - 1
            kept[largest] -= sizes[largest][last]
            total -= sizes[largest][last]
            sizes[largest][last] = 0
            sections[largest].shown = last
        }
    }
}
