//! The demo's rounds (`data/kwartaal/rondes.toml`): a closed round made from the documents and an
//! open one with example updates, written through the same store methods as the website.

use serde::Deserialize;

use super::model::{UpdateFields, UpdateOrigin};
use crate::domain::TrafficLight;
use crate::store::{Actor, Reason, Refusal, Store, StoreError};

const ROUNDS: &str = include_str!("../../../data/kwartaal/rondes.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    ronde: Vec<Round>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Round {
    periode: String,
    uiterlijk: String,
    aanname_uiterlijk: Option<String>,
    /// The round covers the plans whose source is this document.
    plannen_van_bron: String,
    /// Each plan's "actuele status" is its update, quoted from the plan's source.
    #[serde(default)]
    updates_uit_actuele_status: bool,
    samenvatting: Option<String>,
    samenvatting_bron: Option<String>,
    /// Close the round with the portfolio as it stood on this day.
    sluiten_op_peildatum: Option<String>,
    #[serde(default)]
    update: Vec<Update>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Update {
    plan: String,
    #[serde(default)]
    voorbeeld: bool,
    stoplicht: Option<String>,
    gedaan: Option<String>,
    komt: Option<String>,
    nodig: Option<String>,
    #[serde(default)]
    indienen: bool,
}

fn refused(message: impl Into<String>) -> StoreError {
    StoreError::Refused(Refusal::general(format!(
        "data/kwartaal/rondes.toml: {}",
        message.into()
    )))
}

impl Store {
    /// Opens, fills and (where the file says so) closes the demo's rounds.
    pub async fn load_demo_rounds(&self, actor: &Actor) -> Result<(), StoreError> {
        let file: File = toml::from_str(ROUNDS).map_err(|e| refused(e.to_string()))?;
        let reason = Reason::default();
        for r in file.ronde {
            let date = |s: &str| crate::domain::parse_date(s).map_err(|e| refused(e.0));
            let plans: Vec<(String, Option<String>)> = sqlx::query_as(
                "SELECT id, current_status FROM plans WHERE source_id = $1 AND archived = 0
                  ORDER BY position, id",
            )
            .bind(&r.plannen_van_bron)
            .fetch_all(&self.pool)
            .await?;
            let ids: Vec<String> = plans.iter().map(|(id, _)| id.clone()).collect();
            self.open_round(
                actor,
                &reason,
                &r.periode,
                date(&r.uiterlijk)?,
                Some(&ids),
                r.aanname_uiterlijk.as_deref(),
            )
            .await?;
            if r.samenvatting.is_some() {
                self.edit_round(
                    actor,
                    &reason,
                    &r.periode,
                    1,
                    date(&r.uiterlijk)?,
                    r.samenvatting.as_deref(),
                    r.samenvatting_bron.as_deref(),
                )
                .await?;
            }
            if r.updates_uit_actuele_status {
                let quote = UpdateOrigin {
                    source_id: Some(r.plannen_van_bron.clone()),
                    is_example: false,
                };
                for (plan, status) in &plans {
                    let Some(text) = status else { continue };
                    let fields = UpdateFields {
                        done: Some(text.clone()),
                        ..UpdateFields::default()
                    };
                    self.save_update(
                        actor,
                        &reason,
                        &r.periode,
                        plan,
                        0,
                        &fields,
                        &[],
                        true,
                        &quote,
                    )
                    .await?;
                }
            }
            for u in &r.update {
                let light = u
                    .stoplicht
                    .as_deref()
                    .map(TrafficLight::parse)
                    .transpose()
                    .map_err(|e| refused(format!("{}: {}", u.plan, e.0)))?;
                let fields = UpdateFields {
                    light,
                    done: u.gedaan.clone(),
                    next_steps: u.komt.clone(),
                    needs: u.nodig.clone(),
                };
                let origin = UpdateOrigin {
                    source_id: None,
                    is_example: u.voorbeeld,
                };
                self.save_update(
                    actor,
                    &reason,
                    &r.periode,
                    &u.plan,
                    0,
                    &fields,
                    &[],
                    u.indienen,
                    &origin,
                )
                .await?;
            }
            if let Some(day) = &r.sluiten_op_peildatum {
                let (version,): (i64,) =
                    sqlx::query_as("SELECT version FROM report_rounds WHERE period = $1")
                        .bind(&r.periode)
                        .fetch_one(&self.pool)
                        .await?;
                self.close_round(actor, &reason, &r.periode, version, Some(date(day)?))
                    .await?;
                self.publish_demo_round(actor, &r.periode).await?;
            }
        }
        Ok(())
    }

    /// The demo's closed round was discussed at the BBO of 9 October 2025 (its successes are
    /// item 6 of the minutes), so it is public.
    async fn publish_demo_round(&self, actor: &Actor, period: &str) -> Result<(), StoreError> {
        let (version,): (i64,) =
            sqlx::query_as("SELECT version FROM report_rounds WHERE period = $1")
                .bind(period)
                .fetch_one(&self.pool)
                .await?;
        self.publish_round(actor, &Reason::default(), period, version)
            .await?;
        Ok(())
    }
}
