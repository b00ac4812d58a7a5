/// The stable code of every diagnostic rolecall reports: `RC` and four digits, plus a short kebab-case
/// name derived from the case name (`unknownRole` -> `unknown-role`). Codes and names never change once
/// released; tests and users match on them, never on message text.
///
/// Adding a code is one line: a case whose raw value is `"RC<number> <severity>: <one-line summary>"`,
/// in the range of its stage. The severity is the one the code is normally reported with (`--strict`
/// makes every warning an error). README.md lists every code (a test checks that it lists exactly these).
///
/// Ranges (gaps are left in each for codes to come):
/// - RC1xxx reading: manifest files and folders (RC10xx), YAML (RC11xx)
/// - RC2xxx decoding: shape of documents (RC20xx), field values (RC21xx)
/// - RC3xxx validation: duplicates (RC30xx), references (RC31xx), catalogs (RC32xx), seats and owners
///   (RC33xx), time zones and expiry (RC34xx)
/// - RC4xxx state
/// - RC5xxx plan policies
/// - RC6xxx apply and audit
/// - RC9xxx command line
public enum DiagnosticCode: String, CaseIterable, Sendable {
    // MARK: RC1xxx reading: files and folders
    case noSuchPath = "RC1001 error: the manifest file or folder given does not exist"
    case notAManifestPath = "RC1002 error: the path given is neither a folder nor a .yaml/.yml file"
    case noManifestFiles = "RC1003 error: the folder holds no .yaml/.yml file"
    case unreadableFolder = "RC1004 error: a folder below the manifest folder cannot be listed"
    case symlinkLoop = "RC1005 error: a folder is reached twice through symbolic links"
    case nonUTF8FileName = "RC1006 error: a manifest file's name is not valid UTF-8"
    case brokenSymlink = "RC1007 error: a manifest file is a broken symbolic link"
    case symlinkOutside = "RC1008 error: a symbolic link leads outside the manifest folder"
    case unreadableFile = "RC1009 error: a manifest file cannot be read (permissions, size limit, not a file)"

    // MARK: RC11xx reading: YAML
    case invalidYAML = "RC1101 error: the file is not valid YAML"
    case notUTF8 = "RC1102 error: the file is not valid UTF-8 (or is UTF-16/UTF-32)"
    case controlCharacter = "RC1103 error: the file holds a control character YAML does not allow"
    case tabIndentation = "RC1104 error: a tab is used for indentation"
    case yamlAlias = "RC1105 error: YAML aliases (*name) are not supported"
    case yamlAnchor = "RC1106 error: YAML anchors (&name) are not supported"
    case yamlTag = "RC1107 error: YAML tags (!tag) are not supported"
    case nonStringKey = "RC1108 error: a mapping key is not a plain string"
    case duplicateKey = "RC1109 error: a mapping has the same key twice"
    case nestingTooDeep = "RC1110 error: nesting is deeper than the limit"
    case scalarTooLong = "RC1111 error: a value is longer than the limit"
    case outOfMemory = "RC1190 error: the YAML parser ran out of memory"

    // MARK: RC2xxx decoding: shape
    case notAMapping = "RC2001 error: a mapping was expected"
    case missingKey = "RC2002 error: a required key is missing"
    case emptyValue = "RC2003 error: a key has no value"
    case notAString = "RC2004 error: a string was expected"
    case notABoolean = "RC2005 error: true or false was expected"
    case notANumber = "RC2006 error: a whole number was expected"
    case numberTooLarge = "RC2007 error: a number is too large"
    case notAList = "RC2008 error: a list was expected"
    case unknownKey = "RC2009 error: a key rolecall does not know"

    // MARK: RC21xx decoding: values
    case invalidName = "RC2101 error: an org, app, team or role name has characters or a length that is not allowed"
    case invalidEmail = "RC2102 error: an e-mail address is not valid"
    case invalidPermission = "RC2103 error: a permission name is not valid"
    case invalidExpiry = "RC2104 error: an expiry is not a valid date or timestamp"
    case invalidSeats = "RC2105 error: 'seats' is less than 1"
    case invalidMaxRemovals = "RC2106 error: 'max_removals' is neither a count nor a share"
    case invalidInvitationTTL = "RC2107 error: 'invitation_ttl' is not a duration"
    case invalidVisibility = "RC2108 error: 'visibility' is neither public nor private"
    case invalidScope = "RC2109 error: a role's 'scope' is neither org nor app"
    case emptyPermissions = "RC2110 error: a role has an empty permissions list"
    case grantSubjectConflict = "RC2111 error: a grant names both a member and a team"
    case grantWithoutSubject = "RC2112 error: a grant names neither a member nor a team"
    case emptyAttribute = "RC2113 error: a grant attribute has no values"
    case invalidPolicy = "RC2114 error: a policy setting has a value that is not allowed"
    case invalidKeyAccess = "RC2115 error: an API key's 'access' is neither read nor read-write"
    case invalidPeriod = "RC2116 error: 'rotate_every' or 'review_every' is not a whole number of days or weeks"
    case invalidReviewDate = "RC2117 error: 'reviewed' is not a date (YYYY-MM-DD) or lies in the future"

    // MARK: RC3xxx validation: duplicates
    case duplicateDeclaration = "RC3001 error: the same member, team, app, role or grant is declared twice"
    case duplicateSettings = "RC3002 error: an org's settings are declared twice"
    case duplicateTeamMember = "RC3003 error: a team lists the same member twice"

    // MARK: RC31xx validation: references
    case unknownRole = "RC3101 error: a role neither the org nor its catalog declares"
    case unknownMember = "RC3102 error: a team or grant names someone who is not a member of the org"
    case unknownTeam = "RC3103 error: a grant names a team the org does not declare"
    case unknownApp = "RC3104 error: a grant names an app the org does not declare"
    case roleScopeMismatch = "RC3105 error: an org role is used on an app, or an app role org-wide"
    case builtinRoleAttributes = "RC3106 error: a grant of a built-in role has attributes"

    // MARK: RC32xx validation: catalogs
    case unknownCatalog = "RC3201 error: the catalog named in settings does not exist"
    case noSeatPlans = "RC3202 error: the catalog has no seat plans, yet a plan is named"
    case unknownSeatPlan = "RC3203 error: a seat plan the catalog does not have"
    case builtinRoleRedeclared = "RC3204 error: a custom role has the name of a built-in role"
    case unknownPermission = "RC3205 warning: a custom role lists a permission the catalog does not know"

    // MARK: RC33xx validation: seats and owners
    case seatsExceeded = "RC3301 error: the org has more members than its seats allow"
    case missingOwner = "RC3302 error: the org has no holder of its single-holder role (e.g. owner)"
    case ownerReplaced = "RC3303 error: a direct role replaces the only holder's base role, leaving none"
    case multipleOwners = "RC3304 error: more than one person holds the single-holder role"

    // MARK: RC34xx validation: time zones and expiry
    case unknownTimeZone = "RC3401 error: a time zone name that does not exist"
    case timeZonePath = "RC3402 error: a time zone written as a path rather than Area/Location"
    case timeZoneLink = "RC3403 warning: an old name (link) of a time zone"
    case expired = "RC3410 warning: a grant, membership or API key has expired; the plan revokes it"
    case reviewOverdue = "RC3420 warning: a member, grant or API key is past its review date (review_every after reviewed)"

    // MARK: RC35xx validation: policy guardrails (settings.policy)
    case policyExternalMaxDays = "RC3501 error: an external member does not expire within external_max_days"
    case policyMaxGrantDays = "RC3502 error: a grant or team role does not expire within max_grant_days"
    case policyRequireTicket = "RC3503 error: a declaration the policy requires a ticket for has none"
    case policyRequireReason = "RC3504 error: a declaration the policy requires a reason for has none"
    case unknownProtectedRole = "RC3505 error: protected_roles names a role the org does not have"

    // MARK: RC4xxx state
    case stateUnreadable = "RC4001 error: the state cannot be read"
    case stateInvalid = "RC4002 error: the state is not a valid rolecall state"
    case stateUnwritable = "RC4003 error: the state cannot be written"
    case stateLocked = "RC4004 error: another process holds the state lock"
    case stateConflict = "RC4005 error: someone else wrote the state since it was read"
    case stateFork = "RC4006 error: the state to write does not follow the one it replaces"
    case serialExhausted = "RC4007 error: the state's serial cannot grow any more"
    case stateNotLocked = "RC4008 error: a state write was not made under its lock"
    case sharesStateFile = "RC4009 error: a file to write is one of the state's own files"
    case noState = "RC4010 error: there is no state yet"
    case notInState = "RC4011 error: the org or member is not in the state"
    case pushRefused = "RC4012 error: state push would replace another lineage or a state that is not older"

    // MARK: RC5xxx plan policies
    case removalLimit = "RC5001 error: the plan removes more members than max_removals allows"
    case lastOwner = "RC5002 error: the plan removes the last holder of the org's single-holder role"
    case orgRemoval = "RC5003 error: the plan removes a whole org no manifest declares any more"
    case protectedRole = "RC5004 error: the plan changes a protected role (a warning in plan; apply needs --allow-protected)"

    // MARK: RC6xxx apply and audit
    case stalePlan = "RC6001 error: the saved plan no longer matches the state or has expired"
    case changeFailed = "RC6002 error: the target failed to carry out a change"
    case saveFailed = "RC6003 error: the state or audit log could not be saved during apply"
    case backdated = "RC6004 error: apply --now is earlier than the state's last evaluation (see --allow-backdate)"
    case savedPlanInvalid = "RC6005 error: a saved plan's change does not fit the state as it is, or writes what no manifest could"
    case unreadablePlan = "RC6006 error: a plan file cannot be read, or its digest or signature does not match"
    case planUnwritable = "RC6007 error: the plan file cannot be written (--out)"
    case auditLineTorn = "RC6010 warning: a line of the audit log was cut short by a failed write"
    case auditUnchained = "RC6011 warning: the audit log was written before records were chained and cannot be verified"
    case auditChainBroken = "RC6012 error: a line of the audit log was deleted, inserted, reordered or edited"
    case auditUnreadable = "RC6013 error: the audit log cannot be read"
    case auditBeforeHistory = "RC6014 error: access --at asks about an instant the audit log cannot answer for"
    case auditIncomplete = "RC6015 warning: the audit log does not begin with the state, so an --at answer may miss older access"

    // MARK: RC9xxx command line
    case needsTerminal = "RC9001 error: apply needs a terminal to confirm on, or --auto-approve"
    case notAMemberHere = "RC9002 error: the person asked about is a member of no org"
    case unknownAccessName = "RC9003 error: access names an app, role or permission that exists nowhere"
    case invalidAddress = "RC9004 error: a state address is not ORG/KIND/KEY"
    case needsPostgres = "RC9005 error: the command needs a PostgreSQL state"
    case reportUnwritable = "RC9006 error: the report file cannot be written (--out)"
}

extension DiagnosticCode {
    /// `RC3101`.
    public var id: String { String(rawValue.prefix(6)) }

    /// 3101.
    public var number: Int { Int(rawValue.dropFirst(2).prefix(4)) ?? 0 }

    /// `unknown-role`: the case name in kebab case. An acronym stays one word (`nonUTF8FileName` ->
    /// `non-utf8-file-name`, `notAMapping` -> `not-a-mapping`).
    public var name: String {
        let chars = Array(String(describing: self))
        var out = ""
        for (i, c) in chars.enumerated() {
            if i > 0, c.isUppercase {
                let previous = chars[i - 1]
                let next = i + 1 < chars.count ? chars[i + 1] : nil
                if !previous.isUppercase || next?.isLowercase == true { out += "-" }
            }
            out += c.lowercased()
        }
        return out
    }

    /// The severity it is normally reported with.
    public var severity: Severity { rawValue.dropFirst(7).hasPrefix("warning") ? .warning : .error }

    /// What it means, in one line.
    public var summary: String {
        guard let colon = rawValue.firstIndex(of: ":") else { return rawValue }
        return String(rawValue[rawValue.index(after: colon)...].drop { $0 == " " })
    }

    /// `RC3101 unknown-role`, as text and GitHub output show it.
    public var label: String { "\(id) \(name)" }
}

/// Encoded as its id (`"RC3101"`), the part that never changes.
extension DiagnosticCode: Codable {
    public init(from decoder: any Decoder) throws {
        let id = try decoder.singleValueContainer().decode(String.self)
        guard let code = Self.allCases.first(where: { $0.id == id }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown diagnostic code \(id)"))
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(id)
    }
}
