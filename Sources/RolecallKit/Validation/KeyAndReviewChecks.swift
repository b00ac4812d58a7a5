import Foundation

/// Checks of `api_keys:` and of review dates (`reviewed:`, `review_every:`).
extension Validator {
    /// The org's API keys from every document: each name once, date-only expiries read in the org's
    /// time zone, sorted by name.
    func mergeKeys(_ keys: [APIKey], org name: String, zone: TimeZone) -> [APIKey] {
        var kept = uniqueHashing(keys, key: { $0.name }, at: { $0.location }) {
            "API key '\($0)' is declared twice in org '\(name)'"
        }
        var midnights = Midnights(zone: zone)
        for i in kept.indices { midnights.resolve(&kept[i].expires) }
        kept.sort { byteOrder($0.name, $1.name) }
        return kept
    }

    /// A key's owner must be a member and its app declared; an expired key is a warning.
    func checkAPIKeys(_ org: Organization, memberEmails: Set<String>, appNames: Set<String>) {
        for key in org.apiKeys {
            if !memberEmails.contains(key.owner.value) {
                sink.error(.unknownMember, "API key '\(key.name)' is owned by '\(key.owner.value)', who is not a member of org '\(org.name)'"
                           + Suggest.hint(for: key.owner.value, among: memberEmails.sorted()), at: key.owner.location,
                           notes: [DiagnosticNote("a key's owner is a member: the key goes when its owner goes")])
            }
            if !appNames.contains(key.app.value) {
                sink.error(.unknownApp, "unknown app '\(key.app.value)' in org '\(org.name)'" + Suggest.hint(for: key.app.value, among: appNames.sorted()),
                           at: key.app.location)
            }
            expiryWarning(key.expires, "API key '\(key.name)'", org)
        }
    }

    /// `reviewed:` may not lie in the future; a review past its due day is a warning (`--strict`: an error).
    func checkReviews(_ org: Organization) {
        let clock = PolicyClock(now: now, zone: Scalars.timeZone(org.settings.timezone))
        let today = clock.today
        var dated: [Located<CalendarDay>] = org.members.compactMap(\.review.reviewed)
        dated += org.grants.compactMap(\.review.reviewed)
        dated += org.apiKeys.compactMap(\.review.reviewed)
        for reviewed in dated where today < reviewed.value {
            sink.error(.invalidReviewDate, "'reviewed: \(reviewed.value)' lies in the future (today is \(today) in \(org.settings.timezone))",
                       at: reviewed.location)
        }
        for item in Reviews.items(of: org, now: now) where item.isOverdue(at: now) && !(today < item.reviewed) {
            sink.warning(.reviewOverdue, "\(item.summary) was due on \(item.due)", at: item.location)
        }
    }
}
