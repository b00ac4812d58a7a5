import Foundation
import Testing

/// A manifest with one error: an app role that does not exist (`admn`).
let acmeTypo = acme.replacingOccurrences(of: "role: admin, app: staging", with: "role: admn, app: staging")

@Suite("plan documents on errors", .serialized)
struct PlanFailureDocumentTests {
    @Test func markdownExplainsTheFailureWithFileAndLine() throws {
        let ws = try Workspace(["acme.yaml": acmeTypo])
        let run = try ws.run(["plan", "m", "--format", "markdown"])
        #expect(run.status == 1)
        #expect(run.stdout.hasPrefix("<!-- rolecall:plan -->\n### rolecall plan\n\n**Plan failed: 1 error, 0 warnings.** Nothing was planned"))
        #expect(run.stdout.contains("| error | `m/acme.yaml:11:"))
        #expect(run.stdout.contains("admn"))
        #expect(run.stdout.contains("did you mean 'admin'?"))
        // The log still has the diagnostics as text.
        #expect(run.stderr.hasPrefix("m/acme.yaml:11:"))
    }

    @Test func jsonIsADocumentWithValidFalse() throws {
        let ws = try Workspace(["acme.yaml": acmeTypo])
        let run = try ws.run(["plan", "m", "--format", "json"])
        #expect(run.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        #expect(object["format_version"] as? Int == 1)
        #expect(object["errors"] as? Int == 1)
        #expect(object["warnings"] as? Int == 0)
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["severity"] as? String == "error")
        #expect(diagnostics.first?["file"] as? String == "m/acme.yaml")
        #expect(diagnostics.first?["line"] as? Int == 11)
        #expect(Set(object.keys) == ["format_version", "valid", "errors", "warnings", "diagnostics"])
    }

    @Test func textPrintsNothingOnStandardOutput() throws {
        let ws = try Workspace(["acme.yaml": acmeTypo])
        let run = try ws.run(["plan", "m"])
        #expect(run.status == 1)
        #expect(run.stdout == "")
        #expect(run.stderr.contains("error[RC3101 unknown-role]: "))
    }

    @Test func githubAnnotatesTheErrors() throws {
        let ws = try Workspace(["acme.yaml": acmeTypo])
        let run = try ws.run(["plan", "m", "--format", "github"])
        #expect(run.status == 1)
        #expect(run.stderr == "")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasPrefix("::error file=m/acme.yaml,line=11,col=") == true)
        #expect(run.stdout.hasSuffix("\nPlan failed: 1 error, 0 warnings.\n"))
    }

    @Test func githubShowsAtMostTenErrorsAndSaysHowManyMore() throws {
        let members = (1...12).map { "  - {email: m\($0)@acme.com, role: ownr}\n" }.joined()
        let ws = try Workspace(["acme.yaml": "org: acme\nsettings: {catalog: logrocket}\nmembers:\n  - {email: o@acme.com, role: owner}\n" + members])
        let run = try ws.run(["plan", "m", "--format", "github"])
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let annotations = lines.filter { $0.hasPrefix("::error") }
        #expect(annotations.count == 10)
        #expect(annotations.last == "::error::… and 3 more errors, not annotated: listed in the log")
        let plain = lines.filter { $0.hasPrefix("m/acme.yaml:") && $0.contains(": error: ") }
        #expect(plain.count == 3)
        #expect(lines.last == "Plan failed: 12 errors, 0 warnings.")
    }

    @Test func githubAnnotatesNoticesOfAPlan() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let run = try ws.run(["plan", "m", "--format", "github", "--warn-within", "30d"])
        #expect(run.status == 0)
        let notices = run.stdout.split(separator: "\n").filter { $0.hasPrefix("::notice file=m/acme.yaml,line=") }
        #expect(!notices.isEmpty)
        #expect(run.stdout.hasSuffix("Plan: 11 to add, 0 to change, 0 to remove.\n"))
        _ = try ws.run(["plan", "m", "--out", "plan.json"])
        let show = try Binary.run(["show", "plan.json", "--format", "github"], in: ws.url)
        #expect(show.status == 0)
        #expect(show.stdout.hasSuffix("Plan: 11 to add, 0 to change, 0 to remove.\n"))
    }
}

@Suite("command line options", .serialized)
struct CommandLineOptionTests {
    @Test func nowTakesADateAsMidnightUTC() throws {
        let ws = try Workspace(["m.yaml": "org: acme\nsettings: {catalog: logfire}\nmembers: [{email: a@b.co, role: admin, expires: 2026-01-01}]\n"])
        let onTheDay = try ws.run(["validate", "m"], now: "2026-01-01")
        #expect(onTheDay.status == 0)
        #expect(onTheDay.stdout == "Valid: 1 file, 1 org, 1 member, 0 teams, 0 grants; 0 errors, 0 warnings.\n")
        let dayAfter = try ws.run(["validate", "m"], now: "2026-01-02")
        #expect(dayAfter.stdout.contains("warning[RC3410 expired]: membership of a@b.co in org 'acme' expired on 2026-01-01"))
        #expect(dayAfter.stdout == (try ws.run(["validate", "m"], now: "2026-01-02T00:00:00Z")).stdout)
        let bad = try ws.run(["validate", "m"], now: "2026-02-30")
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--now"))
    }

    @Test func accessNamesThatExistNowhereAreErrorsWithDidYouMean() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let app = try ws.run(["access", "--app", "prodution", "m"])
        #expect(app.status == 1)
        #expect(app.stdout == "")
        #expect(app.stderr == "error[RC9003 unknown-access-name]: no app 'prodution' here (did you mean 'production'?)\n")
        let role = try ws.run(["access", "--app", "production", "--role", "admn", "m"])
        #expect(role.status == 1)
        #expect(role.stderr == "error[RC9003 unknown-access-name]: no app role 'admn' here (did you mean 'admin'?)\n")
        let permission = try ws.run(["access", "--app", "production", "--permission", "sessions.veiw", "m"])
        #expect(permission.status == 1)
        #expect(permission.stderr == "error[RC9003 unknown-access-name]: no permission 'sessions.veiw' here (did you mean 'sessions.view'?)\n")
        let known = try ws.run(["access", "--app", "production", "--permission", "sessions.view", "m"])
        #expect(known.status == 0)
        #expect(known.stdout.contains("owner@acme.com"))
    }

    @Test func excludeKeepsFilesAndFoldersOutOfTheManifestFolder() throws {
        let ws = try Workspace(["acme.yaml": acme, "docker-compose.yml": "services: {web: {image: nginx}}\n"])
        try FileManager.default.createDirectory(at: ws.url.appendingPathComponent("m/vendor"), withIntermediateDirectories: true)
        try ws.write("vendor/chart.yaml", "apiVersion: v2\n")
        let all = try ws.run(["validate", "m"])
        #expect(all.status == 1)
        #expect(all.stdout.contains("m/docker-compose.yml:1:1: error[RC2002 missing-key]: "))
        let kept = try ws.run(["validate", "m", "--exclude", "docker-compose.yml", "--exclude", "vendor"])
        #expect(kept.status == 0)
        #expect(kept.stdout.hasPrefix("Valid: 1 file, 1 org, "))
        let star = try ws.run(["plan", "m", "--exclude", "*compose*", "--exclude", "vendor/*"])
        #expect(star.status == 0)
        #expect(star.stdout.hasSuffix("Plan: 11 to add, 0 to change, 0 to remove.\n"))
    }

    @Test func versionSubcommandMatchesTheFlag() throws {
        let flag = try Binary.run(["--version"])
        let command = try Binary.run(["version"])
        #expect(command.status == 0)
        #expect(command.stdout == flag.stdout)
        #expect(command.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
    }

    @Test func completionScriptsAreGenerated() throws {
        for shell in ["bash", "zsh", "fish"] {
            let run = try Binary.run(["--generate-completion-script", shell])
            #expect(run.status == 0)
            #expect(run.stdout.contains("rolecall"))
            #expect(run.stdout.contains("access"))
        }
    }

    @Test func sharedOptionsWorkOnEveryCommand() throws {
        let ws = try Workspace(["acme.yaml": acme])
        #expect(try ws.run(["validate", "m", "--no-color"]).status == 0)
        #expect(try ws.run(["plan", "m", "--no-color", "--out", "plan.json"]).status == 0)
        #expect(try Binary.run(["show", "plan.json", "--no-color"], in: ws.url).status == 0)
        #expect(try ws.run(["access", "owner@acme.com", "m", "--no-color", "--format", "json"]).status == 0)
        let applied = try ws.run(["apply", "plan.json", "--no-color", "--auto-approve"])
        #expect(applied.status == 0)
        #expect(applied.stdout.hasSuffix("Apply complete: 11 changes applied; state serial 1.\n"))
        let fromState = try ws.run(["access", "temp@agency.io", "--state", "rolecall.state.json", "--no-color"])
        #expect(fromState.status == 0)
        let accept = try ws.run(["state", "accept", "temp@agency.io", "--org", "acme", "--no-color"])
        #expect(accept.status == 0)
        #expect(accept.stdout == "Recorded: temp@agency.io accepted the invitation to org 'acme'; state serial 2.\n")
        let missing = try ws.run(["access", "owner@acme.com", "--state", "nowhere.json"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error[RC4010 no-state]: no state at nowhere.json\n")
    }
}
