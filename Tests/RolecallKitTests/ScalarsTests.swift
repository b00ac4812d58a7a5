import Foundation
import Testing
@testable import RolecallKit

@Suite("Scalar forms")
struct ScalarsTests {
    @Test(arguments: ["acme", "a", "0day", "acme-corp", String(repeating: "a", count: 63)])
    func goodSlugs(_ s: String) { #expect(Scalars.slugProblem(s) == nil) }

    @Test(arguments: [
        ("", "it is empty"), ("Acme", "it must start with a lower-case letter or digit"),
        ("-acme", "it must start with a lower-case letter or digit"),
        ("ac_me", "only lower-case letters, digits and '-' are allowed"),
        ("acmé", "only lower-case letters, digits and '-' are allowed"),
        (String(repeating: "a", count: 64), "it is longer than 63 characters"),
    ])
    func badSlugs(_ s: String, _ problem: String) { #expect(Scalars.slugProblem(s) == problem) }

    @Test func roleNamesMayUseUnderscore() {
        #expect(Scalars.roleNameProblem("no_access") == nil)
        #expect(Scalars.slugProblem("no_access") != nil)
    }

    @Test(arguments: ["jane@acme.com", "Jane.Doe+iam@sub.acme.co.uk", "o'brien@x.io", "a@b-c.de"])
    func goodEmails(_ e: String) { #expect(Scalars.emailProblem(e) == nil) }

    @Test(arguments: [
        ("jane", "it has no '@'"),
        ("jane@acme", "the domain 'acme' has no '.'"),
        ("jane@acme.com.", "the domain ends with '.'"),
        ("j@ne@acme.com", "it has more than one '@'"),
        ("@acme.com", "nothing comes before '@'"),
        ("jane@", "nothing comes after '@'"),
        ("jane.@acme.com", "the part before '@' cannot start or end with '.' or contain '..'"),
        ("jane doe@acme.com", "' ' is not allowed before '@'"),
        ("j\u{0430}ne@acme.com", "it contains the non-ASCII character '\u{0430}' (U+0430)"),
        ("jane@acme..com", "the domain 'acme..com' has an empty label"),
        ("jane@-acme.com", "a domain label cannot start or end with '-'"),
        ("jane@10.0.0.1", "the domain ends in a number"),
    ])
    func badEmails(_ e: String, _ problem: String) { #expect(Scalars.emailProblem(e) == problem) }

    /// The one-pass check that skips the detailed rules must never accept what they refuse: 200k
    /// addresses built from the characters that matter (dots, hyphens, digits, '@', specials, length).
    @Test func fastEmailCheckAgreesWithTheDetailedRules() {
        var rng = SplitMix(seed: 7)
        let pieces = ["a", "Z", "0", "9", ".", "-", "@", "+", "_", "'", " ", "..", "-.", ".-", "x.y", "1.2",
                      String(repeating: "b", count: 63), String(repeating: "c", count: 64), "\u{0430}", "é"]
        var accepted = 0
        for _ in 0..<200_000 {
            func some(_ n: UInt64) -> String {
                (0...Int(rng.next() % n)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            }
            // Half shaped like an address (local@label.label), half any mix of the pieces.
            let address = rng.next() % 2 == 0 ? some(8)
                : some(3) + "@" + (0...Int(rng.next() % 3)).map { _ in ["acme", "x-y", "io", "7", "b2"][Int(rng.next() % 5)] + (rng.next() % 4 == 0 ? some(2) : "") }.joined(separator: ".")
            let detailed = Scalars.emailProblemInDetail(address)
            if Scalars.emailProblem(address) != detailed {
                Issue.record("'\(address)': fast path \(String(describing: Scalars.emailProblem(address))), rules \(String(describing: detailed))")
                return
            }
            if detailed == nil { accepted += 1 }
        }
        #expect(accepted > 1_000)  // the sample must reach the accepting side too
    }

    @Test func dateOnlyExpiryLastsThroughTheDayInTheOrgsZone() throws {
        guard case let .ok(written) = WrittenExpiry.parse("2026-07-15") else { Issue.record("did not parse"); return }
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        // Berlin is UTC+2 in July: the day ends at 22:00 UTC.
        #expect(written.endsAt(in: berlin) == parseTimestamp("2026-07-15T22:00:00Z"))
        #expect(written.endsAt(in: try #require(TimeZone(identifier: "UTC"))) == parseTimestamp("2026-07-16T00:00:00Z"))
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        #expect(written.endsAt(in: tokyo) == parseTimestamp("2026-07-15T15:00:00Z"))
    }

    @Test func endOfYearAndLeapDays() throws {
        guard case let .ok(nye) = WrittenExpiry.parse("2026-12-31"), case let .ok(leap) = WrittenExpiry.parse("2028-02-29")
        else { Issue.record("did not parse"); return }
        let utc = try #require(TimeZone(identifier: "UTC"))
        #expect(nye.endsAt(in: utc) == parseTimestamp("2027-01-01T00:00:00Z"))
        #expect(leap.endsAt(in: utc) == parseTimestamp("2028-03-01T00:00:00Z"))
    }

    @Test func timestampsWithOffsetsAndFractions() {
        #expect(parseTimestamp("2026-07-15T17:00:00+02:00") == parseTimestamp("2026-07-15T15:00:00Z"))
        #expect(parseTimestamp("2026-07-15t15:00:00z") == parseTimestamp("2026-07-15T15:00:00Z"))
        #expect(parseTimestamp("2026-07-15T15:00:00.500Z")?.timeIntervalSince1970 == 1_784_127_600.5)
        #expect(parseTimestamp("1970-01-01T00:00:00Z")?.timeIntervalSince1970 == 0)
    }

    @Test(arguments: [
        ("2026-02-30", "'2026-02-30' is not a date: 2026-02 has no day 30"),
        ("2026-02-29", "'2026-02-29' is not a date: 2026-02 has no day 29"),
        ("2026-13-01", "'2026-13-01' is not a date: month 13 does not exist"),
        ("15.07.2026", "'15.07.2026' is not a date: expected a date like 2026-07-15 or an RFC 3339 timestamp like 2026-07-15T17:00:00Z"),
        ("2026-07-15T17:00:00", "'2026-07-15T17:00:00' has no time zone offset: add Z for UTC or an offset like +02:00"),
        ("2026-07-15T25:00:00Z", "'2026-07-15T25:00:00Z' is not a valid time of day"),
        ("2026-07-15T10:00:00+0200", "'2026-07-15T10:00:00+0200' has no valid time zone offset: add Z for UTC or an offset like +02:00"),
    ])
    func badDates(_ text: String, _ problem: String) {
        guard case let .bad(message) = WrittenExpiry.parse(text) else { Issue.record("accepted \(text)"); return }
        #expect(message == problem)
    }

    @Test func timeZonesAreIANANames() {
        #expect(Scalars.isKnownTimeZone("Europe/Berlin"))
        #expect(Scalars.isKnownTimeZone("UTC"))
        #expect(!Scalars.isKnownTimeZone("Mars/Olympus_Mons"))
        #expect(!Scalars.isKnownTimeZone("europe/berlin"))
    }

    /// Days start in UTC by arithmetic; it must agree with Foundation's calendar on every kind of day.
    @Test func theStartOfADayInUTCIsTheCalendarsOne() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var days = [CalendarDay(year: 1970, month: 1, day: 1), CalendarDay(year: 2000, month: 2, day: 29),
                    CalendarDay(year: 2100, month: 2, day: 28), CalendarDay(year: 2026, month: 12, day: 31),
                    CalendarDay(year: 1969, month: 12, day: 31), CalendarDay(year: 9999, month: 12, day: 31)]
        var random = SplitMix(seed: 7)
        for _ in 0..<500 {
            let year = 1900 + Int(random.next() % 300)
            let month = 1 + Int(random.next() % 12)
            days.append(CalendarDay(year: year, month: month, day: 1 + Int(random.next() % UInt64(CalendarDay.daysInMonth(year: year, month: month)))))
        }
        for day in days {
            let expected = try #require(calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)))
            #expect(day.startInUTC == expected, "\(day)")
            #expect(day.start(in: calendar.timeZone) == expected, "\(day)")
        }
    }

    @Test func suggestions() {
        #expect(Suggest.closest(to: "emial", among: ["email", "name", "role"]) == "email")
        #expect(Suggest.closest(to: "admn", among: ["owner", "admin", "member"]) == "admin")
        #expect(Suggest.closest(to: "zed@acme.com", among: ["bob@acme.com"]) == nil)
        #expect(Suggest.closest(to: "xyz", among: ["admin"]) == nil)
    }
}

/// A small seeded generator, so a failing sample can be reproduced.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
