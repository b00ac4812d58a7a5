import Foundation
import Testing

/// End-to-end: run the built `rolecall` binary and check stdout, stderr and the exit code.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum Binary {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The binary next to the test bundle (same build folder), or ROLECALL_BIN.
    static var url: URL {
        if let path = ProcessInfo.processInfo.environment["ROLECALL_BIN"] { return URL(fileURLWithPath: path) }
        var dir = Bundle.main.bundleURL
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("rolecall")
    }

    /// Runs the binary (or, with `shell`, /bin/sh with the arguments).
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    shell: Bool = false, executable: String? = nil) throws -> Run {
        try start(arguments, in: directory, environment: environment, shell: shell, executable: executable).finish()
    }

    /// Starts the binary (or, with `shell`, /bin/sh with the arguments) without waiting for it.
    static func start(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                      shell: Bool = false, executable: String? = nil,
                      stdout: Child.Output = .capture, stderr: Child.Output = .capture) throws -> Child {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NO_COLOR")
        env.removeValue(forKey: "GITHUB_SHA")  // Markdown plans name it; tests that want it pass it
        for (k, v) in environment { env[k] = v }
        return try Child(executable ?? (shell ? "/bin/sh" : url.path), arguments, in: directory ?? packageRoot, environment: env,
                         stdout: stdout, stderr: stderr)
    }
}

let now = ["--now", "2026-11-23T12:00:00Z"]

@Suite("rolecall binary", .serialized)
struct CLITests {
    @Test(arguments: ["logrocket", "launchdarkly", "rudderstack", "logfire"])
    func examplesValidateClean(_ name: String) throws {
        let run = try Binary.run(["validate", "examples/\(name)"] + now)
        #expect(run.status == 0)
        #expect(run.stderr == "")
        #expect(run.stdout.hasPrefix("Valid: "))
        #expect(run.stdout.hasSuffix("; 0 errors, 0 warnings.\n"))
    }

    @Test func invalidManifestsExitOneWithPathsRelativeToTheWorkingDirectory() throws {
        let run = try Binary.run(["validate", "Tests/Fixtures/validate/multi-file-duplicates"] + now)
        #expect(run.status == 1)
        #expect(run.stdout == """
            Tests/Fixtures/validate/multi-file-duplicates/b/more.yaml:2:11: error[RC3002 duplicate-settings]: settings for org 'acme' are declared twice
            Tests/Fixtures/validate/multi-file-duplicates/a/main.yaml:2:11: note: first declared here
            Tests/Fixtures/validate/multi-file-duplicates/b/more.yaml:4:5: error[RC3001 duplicate-declaration]: member 'jane@acme.com' is declared twice in org 'acme'
            Tests/Fixtures/validate/multi-file-duplicates/a/main.yaml:4:5: note: first declared here
            Tests/Fixtures/validate/multi-file-duplicates/b/more.yaml:6:5: error[RC3001 duplicate-declaration]: team 'platform' is declared twice in org 'acme'
            Tests/Fixtures/validate/multi-file-duplicates/a/main.yaml:6:5: note: first declared here
            Invalid: 3 errors, 0 warnings.

            """)
        let inside = try Binary.run(["validate"] + now,
                                    in: Binary.packageRoot.appendingPathComponent("Tests/Fixtures/validate/multi-file-duplicates"))
        #expect(inside.stdout.hasPrefix("b/more.yaml:2:11: error[RC3002 duplicate-settings]: settings for org 'acme' are declared twice\n"))
    }

    @Test func strictTurnsWarningsIntoErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-strict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "org: acme\nsettings: {catalog: logfire}\nmembers: [{email: a@b.co, role: admin, expires: 2026-01-01}]\n"
            .write(to: dir.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let lenient = try Binary.run(["validate", "."] + now, in: dir)
        #expect(lenient.status == 0)
        #expect(lenient.stdout == """
            m.yaml:3:49: warning[RC3410 expired]: membership of a@b.co in org 'acme' expired on 2026-01-01 (UTC); the plan will revoke it
            Valid: 1 file, 1 org, 1 member, 0 teams, 0 grants; 0 errors, 1 warning.

            """)
        let strict = try Binary.run(["validate", ".", "--strict"] + now, in: dir)
        #expect(strict.status == 1)
        #expect(strict.stdout.hasPrefix("m.yaml:3:49: error[RC3410 expired]: membership of a@b.co"))
    }

    @Test func githubAnnotations() throws {
        let run = try Binary.run(["validate", "Tests/Fixtures/validate/hostile-tabs", "--format", "github"] + now)
        #expect(run.status == 1)
        #expect(run.stdout == """
            ::error file=Tests/Fixtures/validate/hostile-tabs/tabs.yaml,line=4,col=1,title=RC1104 tab-indentation::tab characters cannot be used for indentation in YAML; use spaces
            Invalid: 1 error, 0 warnings.

            """)
    }

    @Test func jsonOutputParses() throws {
        let run = try Binary.run(["validate", "Tests/Fixtures/validate/everything-wrong", "--format", "json"] + now)
        #expect(run.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(object?["valid"] as? Bool == false)
        let diagnostics = object?["diagnostics"] as? [[String: Any]] ?? []
        let errors = try #require(object?["errors"] as? Int)
        let warnings = try #require(object?["warnings"] as? Int)
        #expect(errors > 10)
        #expect(diagnostics.count == errors + warnings)
        #expect(diagnostics.first?["file"] as? String == "Tests/Fixtures/validate/everything-wrong/org.yaml")
    }

    /// On a terminal (a pseudo-terminal from script(1)) diagnostics are coloured, unless NO_COLOR is set.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func colourOnATerminalUnlessNoColor() throws {
        func onTerminal(_ env: String) throws -> String {
            let command = "\(env) script -qec '\(Binary.url.path) validate Tests/Fixtures/validate/hostile-tabs' /dev/null"
            return try Binary.run(["-c", command], shell: true).stdout
        }
        #expect(try onTerminal("env -u NO_COLOR").contains("\u{1B}[1;31merror[RC1104 tab-indentation]:\u{1B}[0m"))
        #expect(!(try onTerminal("env NO_COLOR=1")).contains("\u{1B}["))
    }

    @Test func noColourWhenNotATerminal() throws {
        let plain = try Binary.run(["validate", "Tests/Fixtures/validate/hostile-tabs"] + now)
        #expect(!plain.stdout.contains("\u{1B}["))
    }

    @Test func missingFolderIsAnError() throws {
        let run = try Binary.run(["validate", "no/such/folder"] + now)
        #expect(run.status == 1)
        #expect(run.stdout == "error[RC1001 no-such-path]: no such file or folder: no/such/folder\nInvalid: 1 error, 0 warnings.\n")
    }

    @Test func emptyFolderIsAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Binary.run(["validate", "."] + now, in: dir)
        #expect(run.status == 1)
        #expect(run.stdout == "error[RC1003 no-manifest-files]: no manifest files (*.yaml, *.yml) found in .\nInvalid: 1 error, 0 warnings.\n")
    }

    @Test func brokenSymbolicLinkIsReported() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "org: acme\n".write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("b.yaml").path, withDestinationPath: "gone.yaml")
        let run = try Binary.run(["validate", "."] + now, in: dir)
        #expect(run.status == 1)
        #expect(run.stdout == "error[RC1007 broken-symlink]: cannot read b.yaml: it is a broken symbolic link\nInvalid: 1 error, 0 warnings.\n")
    }

    /// Root reads every file, so this runs only for other users (CI containers often run as root).
    @Test(.enabled(if: getuid() != 0, "root can read files without read permission"))
    func unreadableFileIsReported() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-perm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.yaml")
        try "org: acme\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: file.path)
        let run = try Binary.run(["validate", "."] + now, in: dir)
        #expect(run.status == 1)
        #expect(run.stdout.hasPrefix("a.yaml:1:1: error[RC1009 unreadable-file]: cannot read file: permission denied"))
    }

    @Test func badArgumentsAndVersionAndHelp() throws {
        let version = try Binary.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
        let help = try Binary.run(["validate", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--strict"))
        let bad = try Binary.run(["validate", "--format", "yaml"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--format"))
        let badNow = try Binary.run(["validate", "--now", "yesterday"])
        #expect(badNow.status == 64)
    }
}

@Suite("rolecall access")
struct AccessCLITests {
    @Test func personQueryAndErrors() throws {
        let run = try Binary.run(["access", "jordan.reyes@pixelforge.io", "examples/logrocket"] + now)
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("jordan.reyes@pixelforge.io in org brightcart (invited)\n"))
        #expect(run.stdout.contains("waiting for the org invitation to be accepted"))
        let nobody = try Binary.run(["access", "nobody@nowhere.io", "examples/logrocket"] + now)
        #expect(nobody.status == 1)
        #expect(nobody.stderr == "error[RC9002 not-a-member-here]: nobody@nowhere.io is not a member of any org here\n")
        let both = try Binary.run(["access", "--role", "admin", "--permission", "x", "examples/logrocket"] + now)
        #expect(both.status == 64)
    }

    @Test func answersFromTheStateToo() throws {
        let ws = try Workspace(["acme.yaml": acme])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        let fromState = try Binary.run(["access", "--app", "production", "--state", "rolecall.state.json", "--format", "csv"], in: ws.url)
        #expect(fromState.status == 0)
        #expect(fromState.stdout == "org,email,status,org_role,production,staging\r\nacme,owner@acme.com,active,owner,admin,admin\r\n")
    }
}
