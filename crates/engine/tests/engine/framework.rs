use candour_domain::{KeyQuestion, ServiceKind};
use candour_engine::{EvidenceCategory, Framework, FrameworkError, StatementId};

fn framework() -> &'static Framework {
    Framework::current().expect("the framework loads")
}

fn id(text: &str) -> StatementId {
    StatementId::parse(text).expect("a statement ID")
}

#[test]
fn it_holds_the_34_statements_8_6_5_7_8() {
    let f = framework();
    assert_eq!(f.statements().count(), 34);
    let counts: Vec<usize> = KeyQuestion::ALL.iter().map(|kq| f.statements_of(*kq).count()).collect();
    assert_eq!(counts, [8, 6, 5, 7, 8]);
    for statement in f.statements() {
        assert_eq!(statement.id.key_question(), statement.key_question, "{}", statement.id);
        assert!(statement.summary.len() > 20 && statement.summary != statement.title, "{}", statement.id);
        assert!(statement.version >= 1);
    }
    assert_eq!(f.version().id, "saf");
    assert_eq!(f.version().effective_from.to_string(), "2024-12-01");
}

#[test]
fn titles_are_those_of_the_framework_document() {
    let f = framework();
    let expected = [
        ("S1", "Learning culture"),
        ("S2", "Safe systems, pathways and transitions"),
        ("S6", "Safe and effective staffing"),
        ("S8", "Medicines optimisation"),
        ("E3", "How staff, teams and services work together"),
        ("E6", "Consent to care and treatment"),
        ("C4", "Responding to people's immediate needs"),
        ("C5", "Workforce wellbeing and enablement"),
        ("R2", "Care provision, integration and continuity"),
        ("R7", "Planning for the future"),
        ("W4", "Workforce equality, diversity and inclusion"),
        ("W8", "Environmental sustainability – sustainable development"),
    ];
    for (statement, title) in expected {
        assert_eq!(f.statement(id(statement)).map(|s| s.title.as_str()), Some(title));
    }
    assert!(f.statement(id("S9")).is_none());
    assert!(f.statement(id("C6")).is_none());
}

#[test]
fn every_key_question_category_and_service_type_is_described() {
    let f = framework();
    for kq in KeyQuestion::ALL {
        assert!(!f.key_question(kq).expect("described").summary.is_empty());
    }
    for category in EvidenceCategory::ALL {
        let info = f.category(category).expect("described");
        assert!(!info.name.is_empty() && !info.live_source.is_empty());
    }
    for kind in ServiceKind::ALL {
        assert!(f.service_type(kind).is_some(), "{kind}");
    }
}

#[test]
fn homecare_has_no_observation_and_care_homes_do() {
    let f = framework();
    let safeguarding = id("S3");
    assert!(f.categories_for(safeguarding, ServiceKind::CareHome).contains(&EvidenceCategory::Observation));
    for kind in [ServiceKind::Homecare, ServiceKind::SharedLives] {
        let categories = f.categories_for(safeguarding, kind);
        assert!(!categories.contains(&EvidenceCategory::Observation), "{kind}");
        assert!(categories.contains(&EvidenceCategory::PeopleExperience), "{kind}");
    }
}

#[test]
fn a_statement_can_give_its_own_categories_for_a_service_type() {
    let f = framework();
    let environments = id("S5");
    assert_eq!(
        f.categories_for(environments, ServiceKind::CareHomeNursing),
        [EvidenceCategory::StaffFeedback, EvidenceCategory::Observation, EvidenceCategory::Processes]
    );
    assert_eq!(
        f.categories_for(environments, ServiceKind::Homecare),
        [EvidenceCategory::PeopleExperience, EvidenceCategory::StaffFeedback, EvidenceCategory::Processes]
    );
}

/// The shipped file with one edit, to prove the checks bite.
fn edited(from: &str, to: &str) -> Result<Framework, FrameworkError> {
    let text = include_str!("../../framework/saf-2024.toml");
    assert!(text.contains(from), "{from}");
    Framework::from_toml(&text.replacen(from, to, 1))
}

#[test]
fn inconsistent_framework_files_are_refused() {
    let wrong_letter = edited("id = \"E1\"\nkey_question = \"effective\"", "id = \"S9\"\nkey_question = \"effective\"");
    assert!(matches!(wrong_letter, Err(FrameworkError::Inconsistent(m)) if m.contains("S9")));

    let twice = edited("id = \"E2\"", "id = \"E1\"");
    assert!(matches!(twice, Err(FrameworkError::Inconsistent(m)) if m.contains("twice")));

    let no_category =
        edited("categories = [\"staff_feedback\", \"partner_feedback\"]", "categories = [\"observation\"]");
    assert!(matches!(no_category, Err(FrameworkError::Inconsistent(m)) if m.contains("W2") && m.contains("homecare")));

    let unknown_key = edited("version = \"2024.12\"", "version = \"2024.12\"\ncolour = \"blue\"");
    assert!(matches!(unknown_key, Err(FrameworkError::Syntax(m)) if m.contains("colour")));

    assert!(matches!(Framework::from_toml("not toml ["), Err(FrameworkError::Syntax(_))));
}
