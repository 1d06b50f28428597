//! Sample screens of the guidance pages for `legal-kiosk screenshot`: the real content and
//! engines in the chosen language, pushed through the same view functions the controllers use.

use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use slint::{ComponentHandle, SharedString};

use super::consult::view::nearby_of;
use super::consult::view::{
    categories_model, chips_model, search_results, show_outcome, show_question,
};
use super::find_service::{PlaceList, show_kinds, show_list, show_place};
use super::legal_aid::view::{show_aid_question, show_aid_result};
use super::map_panel::MapPanel;
use super::rating::{levels_model, reasons_model, show_levels};
use super::screenshot::ShotPage;
use super::{
    AidStep, AppWindow, Consult, ConsultStep, FindService, LegalAid, Page, PrepareStage, Rating,
    RatingStep, SlipStage,
};
use crate::domain::consult::flow::ScreenView;
use crate::domain::consult::{Consultation, SearchIndex};
use crate::domain::content::GuidanceContent;
use crate::domain::institutions::sample::{sample, sample_here};
use crate::domain::institutions::{Filter, Place, Reach};
use crate::domain::legal_aid::{AidAnswer, Prefill, SelfCheck, consent_text};
use crate::domain::map::Pin;
use crate::domain::rating::ServiceKind;
use crate::i18n::Lang;
use provisioning::institutions::InstitutionKind;

/// Fills the globals for `shot`, one of the guidance pages, in `lang`; returns the page to
/// show.
pub fn show_guidance_sample(app: &AppWindow, shot: ShotPage, lang: Lang) -> Result<Page> {
    let content = GuidanceContent::built_in()?;
    let catalogue = content.consultation.clone();
    let consult = app.global::<Consult>();
    let aid = app.global::<LegalAid>();
    let rating = app.global::<Rating>();
    let flow = |answers: &[&str]| -> Result<Consultation> {
        let mut flow = Consultation::start(catalogue.clone(), "labour.unpaid-wages")?;
        for a in answers {
            flow.answer(a)?;
        }
        Ok(flow)
    };
    let check = |answers: Vec<AidAnswer>| -> Result<SelfCheck> {
        let mut check = SelfCheck::new(
            content.legal_aid_rules.clone(),
            Prefill {
                age: Some(72),
                suggested: vec!["wages".into()],
            },
        );
        for a in answers {
            check
                .answer(a)
                .map_err(|e| anyhow!("sample self-check: {e}"))?;
        }
        Ok(check)
    };
    let none = || AidAnswer::Choice(crate::domain::legal_aid::NONE.into());
    Ok(match shot {
        ShotPage::ConsultCategories => {
            consult.set_categories(categories_model(&catalogue, lang));
            consult.set_step(ConsultStep::Categories);
            Page::Consult
        }
        ShotPage::ConsultQuestion => {
            let flow = flow(&["yes"])?;
            let ScreenView::Question(q) = flow.view(lang) else {
                return Err(anyhow!("the sample flow has no second question"));
            };
            show_question(app, &q, flow.matter().summary.text(lang));
            Page::Consult
        }
        ShotPage::ConsultOutcome => {
            let flow = flow(&["yes", "some"])?;
            let ScreenView::Outcome(o) = flow.view(lang) else {
                return Err(anyhow!("the sample flow has no outcome"));
            };
            let directory = sample();
            let nearby = nearby_of(&flow, lang, |kind| {
                directory.nearest(kind, &sample_here(), sample_now(), lang, 3)
            });
            show_outcome(app, &o, &catalogue, lang, &nearby);
            consult.set_slip(SlipStage::Ready);
            consult.set_rated(false);
            Page::Consult
        }
        ShotPage::ConsultSearch => {
            let index = SearchIndex::build(&catalogue);
            consult.set_chips(chips_model(lang));
            // Korean readers start on the Korean layout, one syllable into 이혼.
            let query = if lang == Lang::KoKr { "이호" } else { "LDZY" };
            consult.set_hangul(lang == Lang::KoKr);
            consult.set_shifted(false);
            consult.set_query(query.into());
            consult.set_results(search_results(&index, &catalogue, query, lang));
            consult.set_step(ConsultStep::Search);
            Page::Consult
        }
        ShotPage::LegalAidIntro => {
            aid.set_age_from_card(true);
            aid.set_step(AidStep::Intro);
            Page::LegalAid
        }
        ShotPage::LegalAidQuestion => {
            let check = check(vec![none()])?;
            let q = check.question(lang).context("a second question")?;
            show_aid_question(app, &q);
            Page::LegalAid
        }
        ShotPage::LegalAidNumber => {
            let check = check(vec![
                none(),
                AidAnswer::Choice("maintenance".into()),
                none(),
                none(),
                AidAnswer::Number(3),
            ])
            .or_else(|_| {
                check(vec![
                    none(),
                    AidAnswer::Choice("wages".into()),
                    none(),
                    none(),
                ])
            })?;
            let q = check.question(lang).context("a number question")?;
            show_aid_question(app, &q);
            aid.set_number("2400".into());
            Page::LegalAid
        }
        ShotPage::LegalAidResult | ShotPage::LegalAidConsent => {
            let check = check(vec![
                none(),
                AidAnswer::Choice("wages".into()),
                AidAnswer::Choice("migrant-worker".into()),
            ])?;
            let result = check.result(lang).context("a result")?;
            show_aid_result(app, &result);
            aid.set_slip(SlipStage::Ready);
            aid.set_prepare(PrepareStage::None);
            if shot == ShotPage::LegalAidConsent {
                aid.set_consent_text(consent_text(lang).into());
                aid.set_step(AidStep::Consent);
            }
            Page::LegalAid
        }
        ShotPage::RatingLevels => {
            show_levels(app, &sample_subject(lang), lang);
            Page::Rating
        }
        ShotPage::RatingReasons => {
            show_levels(app, &sample_subject(lang), lang);
            let chosen = vec!["long-wait".to_owned()];
            rating.set_levels(levels_model(lang));
            rating.set_level_label(
                crate::domain::rating::RatingLevel::Dissatisfied
                    .label(lang)
                    .into(),
            );
            rating.set_reasons(reasons_model(
                &Arc::clone(&content.rating_reasons),
                ServiceKind::Ticket,
                lang,
                &chosen,
            ));
            rating.set_step(RatingStep::Reasons);
            Page::Rating
        }
        ShotPage::FindKinds | ShotPage::FindList | ShotPage::FindDetail | ShotPage::FindMap => {
            let directory = sample();
            let (here, now) = (sample_here(), sample_now());
            let g = app.global::<FindService>();
            match shot {
                ShotPage::FindKinds => show_kinds(&g, &directory.kinds(), true, lang),
                ShotPage::FindList => {
                    let filter = Filter {
                        kind: Some(InstitutionKind::NotaryOffice),
                        reach: Reach::City,
                        ..Filter::default()
                    };
                    let list = PlaceList {
                        places: directory.search(&filter, &here, now, lang, 0),
                        filter,
                        available: true,
                        nearest_first: true,
                    };
                    show_list(&g, &list, lang);
                }
                _ => {
                    let place = directory
                        .find("sample-notary-1", &here, now, lang)
                        .context("the sample notary office")?;
                    show_place(&g, &place, SlipStage::Ready, lang);
                    let map = match shot {
                        ShotPage::FindMap => {
                            let pins = crate::domain::map::pins(
                                directory.location_of(&here),
                                [&place],
                                Some(&place.id),
                            );
                            Some(sample_map_picture(&place, pins)?)
                        }
                        _ => None,
                    };
                    g.set_has_map(map.is_some());
                    if let Some(picture) = map {
                        g.set_map(picture);
                    }
                }
            }
            Page::FindService
        }
        other => return Err(anyhow!("{other:?} is not a guidance page")),
    })
}

/// The map around `place` as the detail page draws it, from a synthetic MBTiles file made
/// for the sample (zooms 13–16 around the place) through the same panel the page uses.
fn sample_map_picture(place: &Place, pins: Vec<Pin>) -> Result<slint::Image> {
    use provisioning::map::{Bounds, synthetic};
    let location = place.location.context("the sample place has coordinates")?;
    // One file per call: screenshots may be taken on several threads at once.
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "legal-kiosk-sample-map-{}-{call}.mbtiles",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    let bounds = Bounds {
        west: location.lng - 0.03,
        south: location.lat - 0.02,
        east: location.lng + 0.03,
        north: location.lat + 0.02,
    };
    synthetic::write(&path, bounds, 13, 16, true).context("the sample map")?;
    let mut panel = MapPanel::default();
    let opened = panel.open_file("sample", &path, location.datum);
    // The open view keeps its own handle; the file itself is not kept.
    let _ = std::fs::remove_file(&path);
    if !opened {
        return Err(anyhow!("the sample map cannot be opened"));
    }
    panel.center(location, pins);
    panel.picture().context("the sample map cannot be drawn")
}

/// The time the samples show: a Thursday morning, when offices are open.
fn sample_now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .unwrap_or_default()
}

fn sample_subject(lang: Lang) -> String {
    format!(
        "{} B012",
        crate::domain::consult::QueueService::LegalAid.name(lang)
    )
}

/// Clears what a sample left that another page would show.
pub fn clear_guidance_sample(app: &AppWindow) {
    app.global::<Consult>().set_notice(SharedString::new());
}
