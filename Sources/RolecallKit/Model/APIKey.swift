import Foundation

/// An API key of an app, as the manifests declare it (`api_keys:`): metadata only. rolecall never
/// holds a key's secret; the product creates it and hands it to the owner, and the state records what
/// is declared here plus when the key was created and last rotated.
public struct APIKey: Sendable, Hashable {
    /// Unique in the org (a slug).
    public var name: String
    public var app: Located<String>
    public var access: APIKeyAccess
    /// Lower-case e-mail of an org member: the key goes when its owner goes.
    public var owner: Located<String>
    public var purpose: String?
    public var expires: Expiry?
    /// How often the key must be rotated, in seconds; nil when it need not be.
    public var rotateEvery: Located<TimeInterval>?
    /// As written (`90d`), for messages.
    public var rotateEveryWritten: String?
    public var justification: Justification
    public var review = ReviewDates()
    public var location: SourceLocation
}

/// The two levels of access a LogRocket key has ("read-only or read/write").
public enum APIKeyAccess: String, Sendable, Hashable, CaseIterable {
    case read
    case readWrite = "read-write"
}

/// When a declaration was last reviewed and how often it must be (`reviewed:`, `review_every:`).
public struct ReviewDates: Sendable, Hashable {
    /// The day of the last review.
    public var reviewed: Located<CalendarDay>?
    /// Overrides the org's `review_every`, in days.
    public var every: Located<Int>?

    public init(reviewed: Located<CalendarDay>? = nil, every: Located<Int>? = nil) {
        self.reviewed = reviewed
        self.every = every
    }
}
