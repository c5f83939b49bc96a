//! The audit trail as read back, and the Dutch label of every field of every record kind.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::features::accounts::repo::{TokenField, UserField};
use crate::features::actions::model::ActionField;
use crate::features::areas::model::AreaField;
use crate::features::framework::model::FrameworkField;
use crate::features::indicators::model::IndicatorField;
use crate::features::observations::model::ObservationField;
use crate::features::organisations::model::OrganisationField;
use crate::features::plans::model::PlanField;
use crate::features::quarterly::model::{RoundField, UpdateField};
use crate::features::rollouts::model::RolloutField;
use crate::store::write_path::RecordField;

/// One entry of the trail.
#[derive(Debug, Clone, FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub id: i64,
    /// UTC, YYYY-MM-DDTHH:MM:SSZ
    pub at: String,
    /// Who made the change; left out for readers who are not signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// web, api, cli or import
    pub channel: String,
    /// plan, rollout, organisation, area or framework
    pub record_type: String,
    pub record_id: String,
    pub record_label: String,
    pub plan_id: Option<String>,
    pub area_id: Option<String>,
    pub organisation_id: Option<String>,
    pub indicator_id: Option<String>,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub comment: Option<String>,
    pub source: Option<String>,
    /// The same for every entry of one save.
    #[serde(skip_serializing)]
    pub write_id: Option<String>,
}

/// Which part of the trail to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditScope<'a> {
    Plan(&'a str),
    Area(&'a str),
    Organisation(&'a str),
    Indicator(&'a str),
    User(i64),
    /// A reporting round: the round itself and its kwartaalupdates.
    Round(&'a str),
}

/// The Dutch label of a field in the trail, from the field declarations of its record kind;
/// `None` for a code no record kind declares.
pub fn field_label(record_type: &str, code: &str) -> Option<&'static str> {
    fn of<F: RecordField>(record_type: &str, code: &str) -> Option<Option<&'static str>> {
        (F::RECORD == record_type).then(|| F::from_code(code).map(F::label))
    }
    of::<PlanField>(record_type, code)
        .or_else(|| of::<RolloutField>(record_type, code))
        .or_else(|| of::<OrganisationField>(record_type, code))
        .or_else(|| of::<AreaField>(record_type, code))
        .or_else(|| of::<FrameworkField>(record_type, code))
        .or_else(|| of::<IndicatorField>(record_type, code))
        .or_else(|| of::<ObservationField>(record_type, code))
        .or_else(|| of::<ActionField>(record_type, code))
        .or_else(|| of::<UserField>(record_type, code))
        .or_else(|| of::<TokenField>(record_type, code))
        .or_else(|| of::<RoundField>(record_type, code))
        .or_else(|| of::<UpdateField>(record_type, code))
        .or_else(|| of::<crate::features::meetings::model::MeetingField>(record_type, code))
        .or_else(|| of::<crate::features::werkagenda::model::MilestoneField>(record_type, code))
        .or_else(|| of::<crate::features::finance::model::BudgetField>(record_type, code))
        .or_else(|| of::<crate::features::finance::model::CapacityField>(record_type, code))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Refusal;

    fn check<F: RecordField>() {
        for (i, f) in F::ALL.iter().enumerate() {
            assert!(!f.label().is_empty(), "{} {:?} has no label", F::RECORD, f);
            assert_eq!(F::from_code(f.code()), Some(*f));
            assert!(
                F::ALL[..i].iter().all(|g| g.code() != f.code()),
                "{} declares {} twice",
                F::RECORD,
                f.code()
            );
            assert_eq!(field_label(F::RECORD, f.code()), Some(f.label()));
        }
    }

    #[test]
    fn every_field_of_every_record_kind_has_one_code_and_a_label_the_trail_finds() {
        check::<PlanField>();
        check::<RolloutField>();
        check::<RoundField>();
        check::<UpdateField>();
        check::<OrganisationField>();
        check::<AreaField>();
        check::<FrameworkField>();
        check::<IndicatorField>();
        check::<ObservationField>();
        check::<ActionField>();
        check::<UserField>();
        check::<TokenField>();
        check::<crate::features::werkagenda::model::MilestoneField>();
        check::<crate::features::finance::model::BudgetField>();
        check::<crate::features::finance::model::CapacityField>();
    }

    #[test]
    fn a_refusal_names_its_field_only_for_its_own_record_kind() {
        let r = Refusal::of(PlanField::Area, "Gebied: kies een gebied");

        assert_eq!(r.field::<PlanField>(), Some(PlanField::Area));
        assert_eq!(r.field::<RolloutField>(), None);
        assert_eq!(Refusal::general("x").field::<PlanField>(), None);
    }
}
