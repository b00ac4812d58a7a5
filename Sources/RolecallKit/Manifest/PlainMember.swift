extension DocumentDecoder {
    /// A member written the plain way, decoded where the reader holds its keys and values (`pairs`:
    /// key, value, key, value…; see `YAMLItemConsumer.take(mapping:at:key:document:)`), without a
    /// tree of its own or a pass over the keys for every field. Plain means: every key one of
    /// `email`, `name`, `role`, `sso`, `expires`, `ticket`, `reason`; every value a scalar; a
    /// well-formed e-mail address and a role; `sso` true or false; an expiry that parses.
    ///
    /// Returns nil, having reported nothing, for any other member: it is then decoded from a tree by
    /// `member(_:)`, which reports what is wrong. For a plain member both give the same `Member`
    /// (PlainMemberTests).
    ///
    /// Measured (2026-12-01, release builds, the 100k-member org, `Benchmarks/ab.py`, alternating
    /// runs, against the tree for every member): a no-op plan 0.96x the median wall and CPU time
    /// (61 runs); `validate` 0.97x the wall and 0.94x the CPU time (31 runs); `validate` of the
    /// members file alone 0.92x and 0.90x (21 runs). Again with each round starting with the next
    /// build (2026-12-02, commit 2140565 against bd0e307): the no-op plan 0.950x wall and 0.952x CPU
    /// (41 runs), `validate` 0.915x and 0.909x (31 runs).
    func plainMember(_ pairs: UnsafeBufferPointer<YAMLNode>, at mark: YAMLMark) -> Member? {
        var email: Located<String>?, role: Located<String>?, name: String?, sso = false
        var expires: Expiry?, ticket: String?, reason: String?
        for i in stride(from: 0, to: pairs.count - 1, by: 2) {
            guard case let .scalar(key, _) = pairs[i].content, case let .scalar(text, plain) = pairs[i + 1].content else {
                return nil
            }
            // A plain `~`, `null` or nothing is the key left out (`Fields.node`).
            let value = pairs[i + 1].isNull ? nil : text
            let located = { (text: String) in Located(text, at: document.location(pairs[i + 1].mark)) }
            switch key {
            case "email": email = value.map(located)
            case "role": role = value.map(located)
            case "name": name = value
            case "ticket": ticket = value
            case "reason": reason = value
            case "sso":
                guard let value else { continue }
                guard plain, value == "true" || value == "false" else { return nil }
                sso = value == "true"
            case "expires":
                guard let value else { continue }
                guard case let .ok(parsed) = WrittenExpiry.parse(value) else { return nil }
                expires = Expiry(parsed, written: located(value))
            default:
                return nil
            }
        }
        guard let email, let role, Scalars.emailProblem(email.value) == nil else { return nil }
        return Member(email: Scalars.emailKey(email.value), writtenEmail: email.value, name: name, role: role, sso: sso,
                      expires: expires, justification: Justification(ticket: ticket, reason: reason),
                      location: document.location(mark), review: ReviewDates())
    }
}
