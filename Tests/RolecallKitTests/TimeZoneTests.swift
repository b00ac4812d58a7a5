import Foundation
import Testing
@testable import RolecallKit

/// Issue 18.4 / 13.17: time zones are the system tz database's names; expiries through a day work in
/// every accepted zone.
@Suite("Time zones from the tz database")
struct TimeZoneTests {
    static let folder = ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"

    /// The zone names of zone1970.tab (third column).
    static func zone1970() throws -> [String] {
        let text = try String(contentsOfFile: folder + "/zone1970.tab", encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let fields = line.split(separator: "\t")
            return fields.count >= 3 ? String(fields[2]) : nil
        }
    }

    static func settings(_ zone: String) -> String {
        "org: acme\nsettings: {timezone: \(zone)}\n"
    }

    @Test func hardening17_everyZoneOfZone1970TabIsAcceptedAndComputes() throws {
        let names = try Self.zone1970()
        #expect(names.count > 300)
        for name in names {
            #expect(TimeZoneNames.system.verdict(name) == .zone, "\(name)")
            #expect(TimeZone(identifier: name) != nil, "Foundation has no zone \(name)")
        }
        // A handful through the whole loader, as a manifest would name them.
        for name in names.prefix(40) {
            #expect(codes(validate(Self.settings(name))) == [], "\(name)")
        }
    }

    @Test(arguments: ["Asia/Kolkata", "Etc/GMT+5", "Etc/GMT-14", "CET", "EST5EDT", "WET", "Europe/Kyiv", "America/Ciudad_Juarez", "UTC", "Etc/UTC"])
    func primaryZonesAreAccepted(_ name: String) {
        #expect(lines(validate(Self.settings(name))) == [])
    }

    @Test func everyNameOfTheDatabaseIsAcceptedAndComputes() {
        let names = TimeZoneNames.system
        for name in names.zones.union(names.links.keys) {
            #expect(Scalars.isKnownTimeZone(name), "\(name)")
            _ = CalendarDay(year: 2026, month: 7, day: 15).start(in: Scalars.timeZone(name))
            let canonical = names.links[name] ?? name
            #expect(Scalars.timeZone(name).secondsFromGMT(for: fixedNow)
                == (TimeZone(identifier: canonical)?.secondsFromGMT(for: fixedNow) ?? -1), "\(name)")
        }
    }

    /// Only `Z` and `L` lines are split into fields; a line that merely starts with those letters,
    /// or has too few fields, declares nothing; fields are split on runs of spaces; links to links
    /// are followed to their zone.
    @Test func tzdataZonesAndLinksAreReadFromTheirLinesOnly() {
        let text = """
            # version 2025b
            R E 1981 ma - Mar lastSu 1u 1 S
            Z Europe/Berlin 0:53:28 - LMT 1893 Ap
            1 c CE%sT
            L  Europe/Berlin   Arctic/Longyearbyen
            Zx Not/AZone 0
            Lx Europe/Berlin Not/ALink
            L Only/Target
            Z

            L Europe/Berlin Europe/Oslo
            L Europe/Oslo Atlantic/Jan_Mayen
            L Nowhere/Zone Dangling/Link
            """
        let names = TimeZoneNames(tzdata: text)
        #expect(names.zones == ["Europe/Berlin"])
        #expect(names.links == ["Arctic/Longyearbyen": "Europe/Berlin", "Europe/Oslo": "Europe/Berlin",
                                "Atlantic/Jan_Mayen": "Europe/Berlin"])
    }

    @Test(arguments: [("Asia/Calcutta", "Asia/Kolkata"), ("Europe/Kiev", "Europe/Kyiv"), ("US/Eastern", "America/New_York")])
    func aLinkIsAcceptedWithAWarningNamingItsZone(_ link: String, _ canonical: String) throws {
        let result = validate(Self.settings(link))
        #expect(result.manifest?.organizations.first?.settings.timezone == link)
        #expect(result.diagnostics.map(\.severity) == [.warning])
        #expect(result.diagnostics.first?.message.contains("'\(canonical)'") == true, "\(codes(result))")
        #expect(result.diagnostics.first?.location?.line == 2)
    }

    @Test(arguments: ["../../etc/passwd", "/usr/share/zoneinfo/UTC", "Europe//Berlin", "Europe/Berlin/", "./UTC", "Europe/Ber lin",
                      "Europe/.hidden"])
    func pathLikeNamesAreRefused(_ name: String) {
        let result = validate("org: acme\nsettings: {timezone: '\(name)'}\n")
        #expect(result.manifest == nil)
        #expect(result.diagnostics.map(\.severity) == [.error], "\(codes(result))")
        #expect(TimeZoneNames.system.verdict(name) == .malformed)
    }

    @Test func unknownNamesAreRefusedWithADidYouMean() {
        #expect(TimeZoneNames.system.verdict("Asia/Kolkatta") == .unknown(suggestion: "Asia/Kolkata"))
        #expect(TimeZoneNames.system.verdict("posix/Europe/Berlin") != .zone)
        #expect(TimeZoneNames.system.verdict("right/UTC") != .zone)
        let unknown = validate(Self.settings("Europe/Berlln"))
        #expect(codes(unknown) == ["2:22: RC3401 unknown-time-zone"])
        #expect(lines(unknown) == ["2:22: error: unknown time zone 'Europe/Berlln' (did you mean 'Europe/Berlin'?)"])
    }

    /// The first instant without access for `expires: DAY` in `zone`.
    static func end(_ day: String, _ zone: String) throws -> Date {
        let yaml = "org: acme\nsettings: {timezone: \(zone)}\nroles: [{name: r, scope: org, permissions: [a.b]}]\n"
            + "members: [{email: a@acme.io, role: r, expires: \(day)}]\n"
        let loaded = validate(yaml, now: try #require(parseTimestamp("2000-01-01T00:00:00Z")))
        let manifest = try #require(loaded.manifest, "\(lines(loaded))")
        return try #require(manifest.organizations.first?.members.first?.expires?.endsAt)
    }

    @Test(arguments: [
        // DST starts (New York 2026-03-08 02:00, Berlin 2026-03-29 02:00): midnights either side.
        ("2026-03-07", "America/New_York", "2026-03-08T05:00:00Z"), ("2026-03-08", "America/New_York", "2026-03-09T04:00:00Z"),
        ("2026-03-28", "Europe/Berlin", "2026-03-28T23:00:00Z"), ("2026-03-29", "Europe/Berlin", "2026-03-29T22:00:00Z"),
        ("2026-10-24", "Europe/Berlin", "2026-10-24T22:00:00Z"), ("2026-10-25", "Europe/Berlin", "2026-10-25T23:00:00Z"),
        // Half-hour offsets: India all year, Lord Howe's half-hour DST ends 2026-04-05.
        ("2026-07-15", "Asia/Kolkata", "2026-07-15T18:30:00Z"), ("2026-07-15", "Asia/Calcutta", "2026-07-15T18:30:00Z"),
        ("2026-04-04", "Australia/Lord_Howe", "2026-04-04T13:00:00Z"), ("2026-04-05", "Australia/Lord_Howe", "2026-04-05T13:30:00Z"),
        ("2026-07-15", "Asia/Kathmandu", "2026-07-15T18:15:00Z"), ("2026-07-15", "Etc/GMT+5", "2026-07-16T05:00:00Z"),
        // Samoa skipped 2011-12-30: access through the 29th (or the 30th) ends when the 31st begins.
        ("2011-12-28", "Pacific/Apia", "2011-12-29T10:00:00Z"), ("2011-12-29", "Pacific/Apia", "2011-12-30T10:00:00Z"),
        ("2011-12-30", "Pacific/Apia", "2011-12-30T10:00:00Z"), ("2011-12-31", "Pacific/Apia", "2011-12-31T10:00:00Z"),
        // Cuba's DST starts at midnight (2026-03-08 00:00 does not exist): the day begins at 01:00 CDT.
        ("2026-03-07", "America/Havana", "2026-03-08T05:00:00Z"), ("2026-03-08", "America/Havana", "2026-03-09T04:00:00Z"),
    ])
    func expiriesThroughADay(_ day: String, _ zone: String, _ expected: String) throws {
        #expect(try Self.end(day, zone) == (try #require(parseTimestamp(expected))))
    }

    /// Around every DST change of 2026 in every zone of zone1970.tab: access through day D ends at the
    /// first instant whose local date is after D.
    @Test func dayEndsAroundEveryTransitionOfEveryZone() throws {
        let start = try #require(parseTimestamp("2026-01-01T00:00:00Z"))
        let stop = try #require(parseTimestamp("2027-01-01T00:00:00Z"))
        var checked = 0
        for name in try Self.zone1970() {
            let zone = Scalars.timeZone(name)
            var cursor = start
            while let transition = zone.nextDaylightSavingTimeTransition(after: cursor), transition < stop {
                cursor = transition
                for shift in [-1, 0, 1] {
                    let day = Self.localDay(transition.addingTimeInterval(Double(shift) * 86_400), zone)
                    let end = day.next().start(in: zone)
                    #expect(Self.localDay(end, zone) > day, "\(name) \(day): ends at \(Timestamp.format(end))")
                    #expect(Self.localDay(end.addingTimeInterval(-1), zone) <= day, "\(name) \(day): ends late")
                    checked += 1
                }
            }
        }
        #expect(checked > 300, "only \(checked) days around DST changes were checked")
    }

    static func localDay(_ date: Date, _ zone: TimeZone) -> CalendarDay {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return CalendarDay(year: c.year ?? 0, month: c.month ?? 0, day: c.day ?? 0)
    }
}
