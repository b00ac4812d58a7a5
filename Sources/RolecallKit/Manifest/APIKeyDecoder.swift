import Foundation

/// `api_keys:` items and the review fields (`reviewed:`, `review_every:`) of members, grants, keys and
/// settings.
extension DocumentDecoder {
    static let apiKeyKeys = ["name", "app", "access", "owner", "purpose", "expires", "rotate_every", "ticket", "reason",
                             "reviewed", "review_every"]

    func apiKey(_ node: YAMLNode) -> APIKey? {
        guard let f = Fields(node, what: "API key", in: document, sink: sink) else { return nil }
        f.finish(allowed: Self.apiKeyKeys)
        let name = f.string("name", required: true)
        if let name, let problem = Scalars.slugProblem(name.value) {
            sink.error(.invalidName, "invalid API key name '\(name.value)': \(problem)", at: name.location)
        }
        let app = f.string("app", required: true)
        var access: APIKeyAccess?
        if let written = f.string("access", required: true) {
            access = APIKeyAccess(rawValue: written.value)
            if access == nil {
                sink.error(.invalidKeyAccess, "access must be 'read' or 'read-write', found '\(written.value)'"
                           + Suggest.hint(for: written.value, among: APIKeyAccess.allCases.map(\.rawValue)), at: written.location)
            }
        }
        var owner: Located<String>?
        if let written = f.string("owner", required: true) {
            if let problem = Scalars.emailProblem(written.value) {
                sink.error(.invalidEmail, "invalid e-mail address '\(written.value)': \(problem)", at: written.location)
            }
            owner = Located(Scalars.emailKey(written.value), at: written.location)
        }
        let rotate = f.string("rotate_every")
        let rotateDays = rotate.flatMap { period($0, "rotate_every") }
        let expires = expiry(f)
        let review = self.review(f)
        guard let name, let app, let access, let owner else { return nil }
        return APIKey(name: name.value, app: app, access: access, owner: owner, purpose: f.string("purpose")?.value,
                      expires: expires, rotateEvery: rotateDays.map { Located(TimeInterval($0.value) * 86_400, at: $0.location) },
                      rotateEveryWritten: rotate?.value,
                      justification: Justification(ticket: f.string("ticket")?.value, reason: f.string("reason")?.value),
                      review: review, location: f.location)
    }

    /// `reviewed:` (a date, not in the future is checked by validation) and `review_every:`.
    func review(_ f: Fields) -> ReviewDates {
        var dates = ReviewDates()
        if let written = f.string("reviewed") {
            if case let .ok(.day(day)) = WrittenExpiry.parse(written.value) {
                dates.reviewed = Located(day, at: written.location)
            } else {
                sink.error(.invalidReviewDate, "'reviewed' must be a date like 2026-07-15, found '\(written.value)'", at: written.location)
            }
        }
        if let every = f.string("review_every") { dates.every = period(every, "review_every") }
        return dates
    }

    /// A period of whole days (`180d`, `26w`), in days.
    func period(_ written: Located<String>, _ key: String) -> Located<Int>? {
        if let seconds = parseDuration(written.value), written.value.last == "d" || written.value.last == "w",
           seconds >= 86_400, seconds.truncatingRemainder(dividingBy: 86_400) == 0, seconds < 1e12 {
            return Located(Int(seconds / 86_400), at: written.location)
        }
        sink.error(.invalidPeriod, "'\(key)' must be a whole number of days or weeks like 90d or 26w, found '\(written.value)'",
                   at: written.location)
        return nil
    }
}
