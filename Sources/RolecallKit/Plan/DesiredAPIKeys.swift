import Foundation

extension DesiredState.PartBuilder {
    /// API keys, as metadata: a key whose expiry has passed, or whose owner's membership has, is left
    /// out and remembered as expired (the plan revokes it, `--only-expired` too).
    mutating func addAPIKeys() {
        for key in org.apiKeys {
            let keyID = ResourceID(org: org.name, kind: .apiKey, key: key.name)
            if let gone = passed(key.expires) {
                expire(keyID, gone)
                continue
            }
            if !expiredMembers.isEmpty, let by = expiredMembers[key.owner.value] {
                outcome.expired[keyID] = by
                continue
            }
            let days = key.rotateEvery.map { Int($0.value / 86_400) }
            let a = Attributes {
                $0.add("access", .string(key.access.rawValue))
                $0.add("app", .string(key.app.value))
                $0.add("expires", DesiredState.format(key.expires))
                $0.add("owner", .string(key.owner.value))
                $0.add("purpose", key.purpose.map(Value.string))
                $0.add("reason", key.justification.reason.map(Value.string))
                $0.add("rotate_every", days.map { .string("\($0)d") })
                $0.add("ticket", key.justification.ticket.map(Value.string))
            }
            note(key.expires, keyID)
            put(keyID, a, key.location)
        }
    }
}
