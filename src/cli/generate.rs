//! `generate --scale national`: a synthetic data set the size of a country, to measure the
//! application on: one land-level regio, 25 subregio's, 342 gemeenten, 10,000 plans with
//! 100,000 rollout cells, 100 KPI's of mixed levels and frequencies, and a long-format CSV
//! file of observations for `import observations`.
//!
//! Everything comes from a small fixed-seed generator, so the same command gives the same
//! data on every machine. Nothing in it is a fact: names, codes and values are made up.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::domain::{
    AreaKind, AreaLevel, Channel, Direction, FactDate, Frequency, IndicatorKind, Measure,
    OrganisationKind, Period, PlanKind, RolloutStatus, Stage,
};
use crate::import::{
    Area, Indicator, IndicatorFields, Organisation, Plan, PlanFields, PlanTexts, Portfolio,
    Rollout, Source, StageChange,
};
use crate::store::{Actor, Store};

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Hoe groot: national (een land: 342 gemeenten in 25 subregio's, 10.000 plannen, 100.000 uitrolcellen, 100 KPI's).
    #[arg(long, value_name = "SCHAAL", value_parser = ["national"])]
    pub scale: String,
    #[command(flatten)]
    pub db: super::DatabaseArgs,
    /// Het CSV-bestand voor de metingen (indicator, gebied, periode, waarde, bron), in te lezen met import observations.
    #[arg(long, value_name = "BESTAND", default_value = "metingen-national.csv")]
    pub csv: PathBuf,
    /// Het aantal metingen in het CSV-bestand.
    #[arg(long, value_name = "AANTAL", default_value_t = 10_000_000)]
    pub observations: u64,
}

pub const GEMEENTEN: usize = 342;
pub const SUBREGIONS: usize = 25;
pub const PLANS: usize = 10_000;
pub const ROLLOUTS_PER_PLAN: usize = 10;
pub const INDICATORS: usize = 100;
const ORGANISATIONS: usize = 300;
const SOURCE: &str = "synthetisch";
/// Observations go back at most to this year.
const FIRST_YEAR: i16 = 1980;

pub async fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let portfolio = national();
    let store = Store::open(&args.db.database).await?;
    let counts = store
        .import_portfolio(
            &Actor::system("generate --scale national", Channel::Import),
            &portfolio,
        )
        .await?;
    eprintln!(
        "Gegenereerd in {}: {} gebieden, {} plannen, {} uitrolcellen, {} KPI's.",
        args.db.database, counts.areas, counts.plans, counts.rollouts, counts.indicators
    );
    write_observations(&args.csv, &portfolio, args.observations)?;
    eprintln!(
        "{} metingen geschreven naar {}; lees ze in met: regiomonitor import observations {} --database {}",
        args.observations,
        args.csv.display(),
        args.csv.display(),
        args.db.database
    );
    Ok(())
}

/// SplitMix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    /// A number in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `k` different items of `items`, in random order.
    fn sample<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut all: Vec<T> = items.to_vec();
        let k = k.min(all.len());
        for i in 0..k {
            let j = i + self.below(all.len() - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

const NAME_START: &[&str] = &[
    "Ooster", "Wester", "Noorder", "Zuider", "Hoog", "Laag", "Groot", "Klein", "Nieuw", "Oud",
    "Berg", "Zand", "Veen", "Heide", "Bosch", "Water", "Linden", "Eiken", "Molen", "Kerk",
];
const NAME_END: &[&str] = &[
    "beek", "dam", "dijk", "veen", "horst", "wijk", "broek", "hoven", "stede", "meer", "woude",
    "zijl", "rade", "lo", "hem", "sum", "donk", "voort", "kamp", "loo",
];
const THEMES: &[&str] = &[
    "Kansrijke start",
    "Samen gezond",
    "Valpreventie",
    "Digitale zorg thuis",
    "Mentale gezondheid jongeren",
    "Wijkgericht werken",
    "Dementievriendelijke gemeente",
    "Ketenzorg diabetes",
    "Eenzaamheid",
    "Acute zorg dichtbij",
    "Ouder worden thuis",
    "Leefstijlinterventie",
];
const MEASURES: &[&str] = &[
    "Verwijzingen naar de tweede lijn",
    "Wachttijd wijkverpleging",
    "Inwoners met een valincident",
    "Gebruik van zorg op afstand",
    "Ervaren gezondheid",
    "Jongeren met psychische klachten",
    "Mantelzorgers die zich overbelast voelen",
    "Consultduur huisarts",
    "Spoedeisende hulp bezoeken",
    "Deelname leefstijlprogramma",
];

fn date(year: i16, month: i8, day: i8) -> Date {
    Date::new(year, month, day).unwrap_or_default()
}

/// The national data set's portfolio (without observations).
pub fn national() -> Portfolio {
    portfolio(PLANS)
}

/// A portfolio like the national one with `size` plans (the same areas, KPI's and
/// organisations, and the same first plans): for tests that compare two sizes.
pub fn portfolio(size: usize) -> Portfolio {
    let mut rng = Rng::new(0x5EED_2026);
    let source = Source {
        id: SOURCE.into(),
        title: "Synthetische gegevens (regiomonitor generate --scale national)".into(),
        date: FactDate::day(date(2026, 1, 1)),
        note: Some("Gemaakt om mee te meten; geen enkel gegeven is echt.".into()),
    };

    let mut names: Vec<String> = NAME_START
        .iter()
        .flat_map(|a| NAME_END.iter().map(move |b| format!("{a}{b}")))
        .collect();
    names = rng.sample(&names, GEMEENTEN);
    let mut areas = vec![Area {
        id: "nederland".into(),
        kind: AreaKind::Region,
        name: "Nederland".into(),
        parent_id: None,
        source_id: Some(SOURCE.into()),
    }];
    let subregion_of = |g: usize| g * SUBREGIONS / GEMEENTEN;
    let subregion_ids: Vec<String> = (0..SUBREGIONS)
        .map(|s| format!("subregio-{:02}", s + 1))
        .collect();
    for (s, id) in subregion_ids.iter().enumerate() {
        let first = (0..GEMEENTEN).find(|g| subregion_of(*g) == s).unwrap_or(0);
        areas.push(Area {
            id: id.clone(),
            kind: AreaKind::Subregion,
            name: format!("Subregio {}", names[first]),
            parent_id: Some("nederland".into()),
            source_id: Some(SOURCE.into()),
        });
    }
    let gemeente_ids: Vec<String> = (0..GEMEENTEN).map(|g| format!("GM{:04}", g + 1)).collect();
    for (g, id) in gemeente_ids.iter().enumerate() {
        areas.push(Area {
            id: id.clone(),
            kind: AreaKind::Municipality,
            name: names[g].clone(),
            parent_id: Some(subregion_ids[subregion_of(g)].clone()),
            source_id: Some(SOURCE.into()),
        });
    }
    let gemeenten_in: Vec<Vec<String>> = (0..SUBREGIONS)
        .map(|s| {
            (0..GEMEENTEN)
                .filter(|g| subregion_of(*g) == s)
                .map(|g| gemeente_ids[g].clone())
                .collect()
        })
        .collect();

    let org_words = [
        "Zorggroep",
        "Huisartsenkring",
        "Gemeente",
        "Zorgverzekeraar",
        "Welzijn",
        "GGD",
        "Netwerk",
        "Kenniscentrum",
        "Inwonersplatform",
        "Stichting",
    ];
    let organisations: Vec<Organisation> = (0..ORGANISATIONS)
        .map(|n| {
            let k = n % OrganisationKind::ALL.len();
            Organisation {
                id: format!("org-{:04}", n + 1),
                name: format!(
                    "{} {}",
                    org_words[k % org_words.len()],
                    names[n % GEMEENTEN]
                ),
                kind: OrganisationKind::ALL[k],
                website: None,
            }
        })
        .collect();
    let org_ids: Vec<String> = organisations.iter().map(|o| o.id.clone()).collect();

    let mut plans = Vec::with_capacity(size);
    for n in 0..size {
        let national = rng.below(5) == 0;
        let (area_id, pool) = if national {
            ("nederland".to_owned(), gemeente_ids.clone())
        } else {
            let s = rng.below(SUBREGIONS);
            (subregion_ids[s].clone(), gemeenten_in[s].clone())
        };
        let stage = *rng.pick(Stage::ALL);
        let changed = date(
            2024 + rng.below(2) as i16,
            1 + rng.below(12) as i8,
            1 + rng.below(28) as i8,
        );
        let mut orgs = rng.sample(&org_ids, 3);
        let parties = orgs
            .split_off(1.min(orgs.len()))
            .into_iter()
            .take(rng.below(3))
            .collect();
        let rollouts = rng
            .sample(&pool, ROLLOUTS_PER_PLAN)
            .into_iter()
            .map(|g| Rollout {
                gemeente_id: g,
                status: *rng.pick(RolloutStatus::ALL),
                district_id: None,
                note: None,
                date: FactDate::day(date(
                    2024 + rng.below(2) as i16,
                    1 + rng.below(12) as i8,
                    1 + rng.below(28) as i8,
                )),
                source_id: Some(SOURCE.into()),
                assumption: None,
            })
            .collect();
        plans.push(Plan {
            id: format!("plan-{:05}", n + 1),
            fields: PlanFields {
                texts: PlanTexts {
                    about: Some(
                        "Een synthetisch plan om de monitor op landelijke schaal mee te meten."
                            .into(),
                    ),
                    ..PlanTexts::default()
                },
                is_new: Some(rng.below(2) == 0),
                source_id: Some(SOURCE.into()),
                leads: orgs,
                parties,
                ..PlanFields::new(
                    format!("{} {:05}", rng.pick(THEMES), n + 1),
                    *rng.pick(PlanKind::ALL),
                    area_id,
                )
            },
            assumptions: Vec::new(),
            stage: Some(stage),
            rollouts,
            history: vec![StageChange {
                date: FactDate::day(changed),
                stage,
                note: None,
                source_id: Some(SOURCE.into()),
                assumption: None,
            }],
            milestones: Vec::new(),
            budgets: Vec::new(),
            capacities: Vec::new(),
        });
    }

    let indicators = (0..INDICATORS)
        .map(|n| {
            let (level, frequency) = level_and_frequency(n);
            let narrative = level == AreaLevel::Region && n % 50 == 49;
            let lower = n % 2 == 1;
            Indicator {
                id: format!("kpi-{:03}", n + 1),
                assumptions: Vec::new(),
                fields: IndicatorFields {
                    name: format!("{} {:03}", MEASURES[n % MEASURES.len()], n + 1),
                    description: Some("Synthetische KPI om de monitor mee te meten.".into()),
                    kind: if n % 3 == 0 {
                        IndicatorKind::Effort
                    } else {
                        IndicatorKind::Result
                    },
                    measure: if narrative {
                        Measure::Narrative
                    } else {
                        Measure::Quantitative
                    },
                    unit: (!narrative).then(|| "%".to_owned()),
                    direction: (!narrative).then_some(if lower {
                        Direction::Lower
                    } else {
                        Direction::Higher
                    }),
                    baseline: (!narrative).then_some((Period::Year(2020), 50.0)),
                    target: (!narrative)
                        .then_some((Period::Year(2026), if lower { 40.0 } else { 60.0 })),
                    target_text: narrative
                        .then(|| "Inwoners ervaren dat zorg en welzijn samenwerken.".to_owned()),
                    milestones: Vec::new(),
                    transformation_id: None,
                    plans: vec![format!("plan-{:05}", n * size / INDICATORS + 1)],
                    owner_organisation_id: Some(org_ids[n % org_ids.len()].clone()),
                    owner_role: Some("Trekker van het plan".into()),
                    data_source: Some("Synthetisch".into()),
                    frequency,
                    area_level: level,
                    source_id: Some(SOURCE.into()),
                },
            }
        })
        .collect();

    Portfolio {
        sources: vec![source],
        areas,
        framework: Vec::new(),
        transformation_principles: Vec::new(),
        funding_sources: Vec::new(),
        organisations,
        bodies: Vec::new(),
        plans,
        indicators,
    }
}

/// 70 KPI's per gemeente (60 monthly, 10 quarterly), 20 per subregio (quarterly and yearly),
/// 10 for the whole land (yearly).
fn level_and_frequency(n: usize) -> (AreaLevel, Frequency) {
    match n % 10 {
        4 => (AreaLevel::Gemeente, Frequency::Quarter),
        0..=6 => (AreaLevel::Gemeente, Frequency::Month),
        7 => (AreaLevel::Subregion, Frequency::Quarter),
        8 => (AreaLevel::Subregion, Frequency::Year),
        _ => (AreaLevel::Region, Frequency::Year),
    }
}

/// The `count` latest periods of a frequency, oldest first, up to March 2026.
fn periods(frequency: Frequency, count: usize) -> Vec<Period> {
    let latest: i64 = match frequency {
        Frequency::Month => 2026 * 12 + 2,
        Frequency::Quarter => 2026 * 4,
        Frequency::Year => 2025,
    };
    let count = i64::try_from(count).unwrap_or(0);
    (latest - count + 1..=latest)
        .map(|k| match frequency {
            Frequency::Month => Period::Month((k / 12) as i16, (k % 12 + 1) as u8),
            Frequency::Quarter => Period::Quarter((k / 4) as i16, (k % 4 + 1) as u8),
            Frequency::Year => Period::Year(k as i16),
        })
        .collect()
}

/// How many periods a series can have between FIRST_YEAR and March 2026.
fn capacity(frequency: Frequency) -> usize {
    let years = usize::try_from(2026 - FIRST_YEAR).unwrap_or(0);
    match frequency {
        Frequency::Month => years * 12 + 3,
        Frequency::Quarter => years * 4 + 1,
        Frequency::Year => years,
    }
}

/// Spreads `n` over series with these capacities as evenly as they allow.
fn spread(caps: &[usize], n: u64) -> anyhow::Result<Vec<usize>> {
    let total: u64 = caps.iter().map(|c| *c as u64).sum();
    if n > total {
        anyhow::bail!(
            "--observations {n} is te veel: deze gegevens hebben ruimte voor hoogstens {total} metingen"
        );
    }
    let filled = |level: usize| -> u64 { caps.iter().map(|c| (*c).min(level) as u64).sum() };
    let (mut lo, mut hi) = (0, caps.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if filled(mid) <= n {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut counts: Vec<usize> = caps.iter().map(|c| (*c).min(lo)).collect();
    let mut rest = n - filled(lo);
    for (count, cap) in counts.iter_mut().zip(caps) {
        if rest == 0 {
            break;
        }
        if *cap > *count {
            *count += 1;
            rest -= 1;
        }
    }
    Ok(counts)
}

/// Writes `n` observations: per KPI, per area of its level, the latest periods, oldest first.
pub fn write_observations(path: &Path, p: &Portfolio, n: u64) -> anyhow::Result<()> {
    let mut rng = Rng::new(0x0B5E_2026);
    let areas_of = |level: AreaLevel| -> Vec<&str> {
        let kind = match level {
            AreaLevel::Gemeente => AreaKind::Municipality,
            AreaLevel::Subregion => AreaKind::Subregion,
            AreaLevel::Region => AreaKind::Region,
        };
        p.areas
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| a.id.as_str())
            .collect()
    };
    let mut series: Vec<(&Indicator, &str)> = Vec::new();
    for i in &p.indicators {
        for a in areas_of(i.fields.area_level) {
            series.push((i, a));
        }
    }
    let caps: Vec<usize> = series
        .iter()
        .map(|(i, _)| capacity(i.fields.frequency))
        .collect();
    let counts = spread(&caps, n)?;

    let file = std::fs::File::create(path)
        .map_err(|e| anyhow::anyhow!("kan {} niet maken: {e}", path.display()))?;
    let mut out = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, file));
    out.write_record(["indicator", "gebied", "periode", "waarde", "bron"])?;
    let mut value = String::new();
    let mut seen = HashSet::new();
    for ((indicator, area), count) in series.iter().zip(counts) {
        debug_assert!(seen.insert((indicator.id.as_str(), *area)));
        let mut level = 30.0 + 40.0 * rng.unit();
        for period in periods(indicator.fields.frequency, count) {
            value.clear();
            if indicator.fields.measure == Measure::Narrative {
                value.push_str(if rng.below(2) == 0 {
                    "Inwoners ervaren meer samenhang tussen zorg en welzijn"
                } else {
                    "Inwoners merken nog weinig verschil"
                });
            } else {
                level = (level + 2.0 * rng.unit() - 1.0).clamp(0.0, 100.0);
                write!(&mut value as &mut dyn std::fmt::Write, "{level:.1}")
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            out.write_record([
                indicator.id.as_str(),
                area,
                &period.to_string(),
                &value,
                SOURCE,
            ])?;
        }
    }
    out.flush()?;
    out.into_inner()
        .map_err(|e| anyhow::anyhow!("kan {} niet schrijven: {e}", path.display()))?
        .flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_set_has_the_promised_size_and_is_the_same_every_time() {
        let p = national();
        assert_eq!(p.areas.len(), 1 + SUBREGIONS + GEMEENTEN);
        assert_eq!(p.plans.len(), PLANS);
        assert_eq!(
            p.plans.iter().map(|p| p.rollouts.len()).sum::<usize>(),
            PLANS * ROLLOUTS_PER_PLAN
        );
        assert_eq!(p.indicators.len(), INDICATORS);
        let names: HashSet<&str> = p.areas.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names.len(), p.areas.len(), "area names are unique");
        let again = national();
        assert_eq!(p.plans[1234].fields.name, again.plans[1234].fields.name);
        assert_eq!(
            p.plans[1234].rollouts[3].gemeente_id,
            again.plans[1234].rollouts[3].gemeente_id
        );
    }

    #[test]
    fn spread_fills_evenly_and_exactly() {
        assert_eq!(spread(&[10, 2, 10], 15).ok(), Some(vec![7, 2, 6]));
        assert_eq!(spread(&[10, 2, 10], 22).ok(), Some(vec![10, 2, 10]));
        assert!(spread(&[10, 2, 10], 23).is_err());
    }

    #[test]
    fn periods_end_in_march_2026() {
        assert_eq!(
            periods(Frequency::Month, 3),
            [
                Period::Month(2026, 1),
                Period::Month(2026, 2),
                Period::Month(2026, 3)
            ]
        );
        assert_eq!(
            periods(Frequency::Quarter, 2),
            [Period::Quarter(2025, 4), Period::Quarter(2026, 1)]
        );
        assert_eq!(periods(Frequency::Year, 1), [Period::Year(2025)]);
        assert_eq!(
            periods(Frequency::Month, capacity(Frequency::Month))[0],
            Period::Month(1980, 1)
        );
    }
}
