import Foundation
import HealKit
import HealTesting
import Testing

@Suite("Configuration: strict decoding with file:line:column")
struct ConfigTests {
    /// Loads a home with the example skills and one playbook or skill file replaced.
    func problems(_ path: String, _ text: String) throws -> [ConfigError] {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write(path, text)
        return ProjectConfig.load(from: home.healHome).1
    }

    @Test func shippedExampleIsClean() throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let (config, errors) = ProjectConfig.load(from: home.healHome)
        #expect(errors.isEmpty)
        #expect(config.playbooks["sales-daily"]?.steps.map(\.name) == ["fetch", "schema", "quality", "transform", "load", "health"])
        #expect(config.skills.count == 9)
    }

    @Test func unknownKeyNamesPositionAndNearMiss() throws {
        let errors = try problems("playbooks/sales-daily.yml", """
            steps:
              - name: fetch
                skill: fetch-sales
                on_failure:
                  source_missing: [sales-mirror]
                retyr: { attempts: 2 }
            """)
        let error = try #require(errors.first)
        #expect(error.file == "playbooks/sales-daily.yml")
        #expect(error.line == 6)
        #expect(error.column == 5)
        #expect(error.message.contains("unknown setting 'retyr'"))
        #expect(error.message.contains("did you mean 'retry'?"))
    }

    @Test func unknownSkillAndFailureClassAreNearMisses() throws {
        let skill = try problems("playbooks/sales-daily.yml", """
            steps:
              - skill: fetch-sale
            """)
        #expect(skill.first?.message.contains("did you mean 'fetch-sales'?") == true)
        #expect(skill.first?.line == 2)

        let failure = try problems("playbooks/sales-daily.yml", """
            steps:
              - skill: fetch-sales
                on_failure:
                  source_mising: [sales-mirror]
            """)
        #expect(failure.first?.line == 4)
        #expect(failure.first?.message.contains("did you mean 'source_missing'?") == true)
    }

    @Test func wrongTypesAndMissingFields() throws {
        let wrongType = try problems("skills/fetch-sales.yml", """
            kind: fetch
            source: x.csv
            min_bytes: lots
            """)
        #expect(wrongType.first?.description == "skills/fetch-sales.yml:3:12: expected a size in bytes, found 'lots'")

        let missing = try problems("skills/sales-load.yml", "kind: load\nmode: append\n")
        #expect(missing.first?.message.contains("missing required setting 'table'") == true)
        #expect(missing.first?.line == 1)

        let kind = try problems("skills/sales-load.yml", "kind: lod\ntable: t\n")
        #expect(kind.first?.message.contains("did you mean 'load'?") == true)
        #expect(kind.first?.line == 1 && kind.first?.column == 7)

        let columnType = try problems("skills/sales-contract.yml", """
            kind: validate_schema
            columns:
              - { name: a, type: integr }
            """)
        #expect(columnType.first?.line == 3)
        #expect(columnType.first?.message.contains("did you mean 'integer'?") == true)
    }

    @Test func yamlSyntaxAndTemplateErrorsHavePositions() throws {
        let syntax = try problems("playbooks/sales-daily.yml", "steps:\n  - skill: [unclosed\n")
        #expect(syntax.first?.file == "playbooks/sales-daily.yml")
        #expect((syntax.first?.line ?? 0) >= 2)
        #expect(syntax.first?.message.hasPrefix("YAML syntax") == true)

        let template = try problems("skills/fetch-sales.yml", "kind: fetch\nsource: sales_{dat}.csv\n")
        #expect(template.first?.line == 2)
        #expect(template.first?.message.contains("unknown placeholder '{dat}'") == true)
    }

    @Test func remediationsMustBeRemediations() throws {
        let errors = try problems("playbooks/sales-daily.yml", """
            steps:
              - skill: fetch-sales
                on_failure:
                  source_missing: [sales-load]
            """)
        #expect(errors.first?.message.contains("expected a remediation") == true)
    }

    @Test func retryPolicyBackoffIsExponentialCappedAndJittered() {
        let policy = RetryPolicy(attempts: 5, backoff: .milliseconds(100), maxBackoff: .milliseconds(300), jitter: 0.5)
        #expect(policy.delay(beforeRetry: 1, random: 0) == .milliseconds(100))
        #expect(policy.delay(beforeRetry: 2, random: 0) == .milliseconds(200))
        #expect(policy.delay(beforeRetry: 3, random: 0) == .milliseconds(300))
        #expect(policy.delay(beforeRetry: 9, random: 0) == .milliseconds(300))
        #expect(policy.delay(beforeRetry: 2, random: 1) == .milliseconds(100))
    }
}
