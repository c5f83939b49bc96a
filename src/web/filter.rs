//! The portfolio filter as it appears in a URL (`?subregio=lekstroom&opgave=...`), shared by
//! the dashboard, the plan list and the API.

use crate::domain::{FrameworkKind, Stage};
use crate::features::plans::model::PlanFilter;

use super::error::WebError;
use super::view::Catalog;

/// The filter as the user chose it, to fill the form again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterChoice {
    pub subregio: String,
    pub gemeente: String,
    pub opgave: String,
    pub transformatie: String,
    pub fase: String,
}

impl FilterChoice {
    pub const NAMES: [&'static str; 5] =
        ["subregio", "gemeente", "opgave", "transformatie", "fase"];

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The filter in words, for a page and its printout: "subregio Lekstroom, fase Loopt",
    /// or "alle plannen".
    pub fn words(&self, catalog: &Catalog) -> String {
        let mut parts = Vec::new();
        if !self.subregio.is_empty() {
            parts.push(format!("subregio {}", catalog.area_name(&self.subregio)));
        }
        if !self.gemeente.is_empty() {
            parts.push(format!("gemeente {}", catalog.area_name(&self.gemeente)));
        }
        for (word, id) in [
            ("opgave", &self.opgave),
            ("transformatie", &self.transformatie),
        ] {
            if let Some(i) = catalog.item(id) {
                parts.push(format!("{word} {}", i.name));
            }
        }
        if !self.fase.is_empty() {
            parts.push(format!(
                "fase {}",
                crate::web::view::stage_label(Some(&self.fase))
            ));
        }
        if parts.is_empty() {
            "alle plannen".to_owned()
        } else {
            parts.join(", ")
        }
    }

    /// Reads and checks the query pairs; an unknown name or value gets a message that says
    /// which values exist.
    pub fn parse(
        pairs: &[(String, String)],
        catalog: &Catalog,
    ) -> Result<(Self, PlanFilter), WebError> {
        let mut choice = Self::default();
        for (name, value) in pairs {
            let value = value.trim().to_owned();
            match name.as_str() {
                "subregio" => choice.subregio = value,
                "gemeente" => choice.gemeente = value,
                "opgave" => choice.opgave = value,
                "transformatie" => choice.transformatie = value,
                "fase" => choice.fase = value,
                other => {
                    return Err(WebError::BadRequest(format!(
                        "Het filter \"{other}\" bestaat niet. U kunt filteren op: {}.",
                        Self::NAMES.join(", ")
                    )));
                }
            }
        }
        let mut filter = PlanFilter::default();
        if !choice.subregio.is_empty() {
            if catalog
                .area(&choice.subregio)
                .is_none_or(|a| a.kind != "subregio")
            {
                let known: Vec<_> = catalog.subregions().map(|s| s.id.as_str()).collect();
                return Err(unknown("subregio", &choice.subregio, &known));
            }
            filter.subregion = Some(choice.subregio.clone());
        }
        if !choice.gemeente.is_empty() {
            let code = crate::domain::Gemeentecode::parse(&choice.gemeente)
                .map(|g| g.to_string())
                .ok()
                .filter(|c| catalog.area(c).is_some_and(|a| a.kind == "gemeente"));
            let Some(code) = code else {
                let known: Vec<_> = catalog.gemeenten().map(|g| g.id.as_str()).collect();
                return Err(unknown("gemeente", &choice.gemeente, &known));
            };
            choice.gemeente = code.clone();
            filter.gemeente = Some(code);
        }
        for (name, value, kind) in [
            ("opgave", &choice.opgave, FrameworkKind::Theme),
            (
                "transformatie",
                &choice.transformatie,
                FrameworkKind::Transformation,
            ),
        ] {
            if value.is_empty() {
                continue;
            }
            if catalog.item(value).is_none_or(|i| i.kind != kind.code()) {
                let known: Vec<_> = catalog.items(kind).map(|i| i.id.as_str()).collect();
                return Err(unknown(name, value, &known));
            }
            filter.framework_items.push(value.clone());
        }
        if !choice.fase.is_empty() {
            let stage = Stage::parse(&choice.fase).map_err(|_| {
                let known: Vec<_> = Stage::ALL.iter().map(|s| s.code()).collect();
                unknown("fase", &choice.fase, &known)
            })?;
            filter.stage = Some(stage.code().to_owned());
        }
        Ok((choice, filter))
    }
}

fn unknown(name: &str, value: &str, known: &[&str]) -> WebError {
    WebError::BadRequest(format!(
        "Het filter {name}={value} kennen we niet. Kies een van: {}.",
        known.join(", ")
    ))
}

/// A year in an address (`?jaar=2025`), within the years budgets and milestones are kept for.
pub fn year_of(value: &str) -> Result<i16, WebError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|y| crate::features::finance::YEARS.contains(y))
        .and_then(|y| i16::try_from(y).ok())
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "Jaar (jaar): \"{}\" is geen jaar; schrijf een jaar als 2026.",
                value.trim()
            ))
        })
}

/// A subregio's id in an address, or a refusal that names the subregio's there are.
pub fn subregion_of(catalog: &Catalog, value: &str) -> Result<String, WebError> {
    if catalog.area(value).is_some_and(|a| a.kind == "subregio") {
        Ok(value.to_owned())
    } else {
        let known: Vec<_> = catalog.subregions().map(|s| s.id.as_str()).collect();
        Err(unknown("subregio", value, &known))
    }
}

/// An opgave's id in an address, or a refusal that names the opgaven there are.
pub fn theme_of(catalog: &Catalog, value: &str) -> Result<String, WebError> {
    if catalog
        .item(value)
        .is_some_and(|i| i.kind == FrameworkKind::Theme.code())
    {
        Ok(value.to_owned())
    } else {
        let known: Vec<_> = catalog
            .items(FrameworkKind::Theme)
            .map(|i| i.id.as_str())
            .collect();
        Err(unknown("opgave", value, &known))
    }
}
